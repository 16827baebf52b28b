package core

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/gotee/gotee/internal/wire"
	"github.com/gotee/gotee/tee"
)

// Version of this implementation, as the gpd.tee.trustedos.* and firmware
// properties report it.
const (
	implVersion       = "0.1.0"
	implBinaryVersion = 0x00000100
)

// internalCoreVersion is gpd.tee.internalCore.version: the Internal Core API the
// TA SDK follows, 1.3.1, as major<<24 | minor<<16 | maintenance<<8 | revision.
const internalCoreVersion = 0x01030100

// DeviceID derives the installation's gpd.tee.deviceID from its device key: stable
// for the installation, unrelated between installations, and revealing nothing of
// the key.
func DeviceID(deviceKey []byte) tee.UUID {
	mac := hmac.New(sha256.New, deviceKey)
	mac.Write([]byte("gotee device id v1"))
	var u tee.UUID
	copy(u[:], mac.Sum(nil))
	u[6] = u[6]&0x0f | 0x40 // random-looking: version 4, RFC 4122 variant
	u[8] = u[8]&0x3f | 0x80
	return u
}

// TEEProperties is the TEE implementation property set (gpd.tee.*, Internal Core
// API §4.7) that every TA instance receives. It reports what this implementation
// really offers: time and storage protection are those of a TEE whose secure world
// is a process of the REE (protection level 100, "REE-controlled"); the
// cryptography flags stay false until the TA SDK offers the algorithms.
func TEEProperties(deviceID tee.UUID) []wire.Property {
	u32 := func(v uint32) string { return fmt.Sprint(v) }
	return []wire.Property{
		{Name: "gpd.tee.apiversion", Value: "1.3.1"},
		{Name: "gpd.tee.internalCore.version", Value: u32(internalCoreVersion)},
		{Name: "gpd.tee.description", Value: "gotee " + implVersion + ": a GlobalPlatform TEE in software"},
		{Name: "gpd.tee.deviceID", Value: deviceID.String()},
		{Name: "gpd.tee.systemTime.protectionLevel", Value: u32(100)},
		{Name: "gpd.tee.TAPersistentTime.protectionLevel", Value: u32(100)},
		{Name: "gpd.tee.arith.maxBigIntSize", Value: u32(4096)},
		{Name: "gpd.tee.cryptography.ecc", Value: "false"},
		{Name: "gpd.tee.cryptography.nist", Value: "false"},
		{Name: "gpd.tee.cryptography.bsi-r", Value: "false"},
		{Name: "gpd.tee.cryptography.bsi-t", Value: "false"},
		{Name: "gpd.tee.cryptography.ietf", Value: "false"},
		{Name: "gpd.tee.cryptography.octa", Value: "false"},
		{Name: "gpd.tee.trustedStorage.antiRollback.protectionLevel", Value: u32(0)},
		{Name: "gpd.tee.trustedStorage.rollbackDetection.protectionLevel", Value: u32(0)},
		{Name: "gpd.tee.trustedos.implementation.version", Value: implVersion},
		{Name: "gpd.tee.trustedos.implementation.binaryversion", Value: u32(implBinaryVersion)},
		{Name: "gpd.tee.trustedos.manufacturer", Value: "gotee"},
		{Name: "gpd.tee.firmware.implementation.version", Value: implVersion},
		{Name: "gpd.tee.firmware.implementation.binaryversion", Value: u32(implBinaryVersion)},
		{Name: "gpd.tee.firmware.manufacturer", Value: "gotee"},
		{Name: "gpd.tee.event.maxSources", Value: u32(0)},
	}
}
