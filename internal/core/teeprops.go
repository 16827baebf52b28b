package core

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strconv"

	"github.com/gotee/gotee/internal/crypto"
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

// DeviceSecrets returns the derivation of TAs' device secrets from the installation's
// device key: HMAC-SHA256 of the TA's UUID and a label of the TA's choosing, under a
// key of its own derived from the device key. A TA gets only its own secrets, and the
// secrets of two installations are unrelated.
func DeviceSecrets(deviceKey []byte) func(ta tee.UUID, label []byte) []byte {
	mac := hmac.New(sha256.New, deviceKey)
	mac.Write([]byte("gotee ta device secrets v1"))
	root := mac.Sum(nil)
	return func(ta tee.UUID, label []byte) []byte {
		m := hmac.New(sha256.New, root)
		m.Write(ta[:])
		m.Write(label)
		return m.Sum(nil)
	}
}

// TEEProperties is the TEE implementation property set (gpd.tee.*, Internal Core
// API §4.7) that every TA instance receives. It reports what this implementation
// really offers: time and storage protection are those of a TEE whose secure world
// is a process of the REE (protection level 100, "REE-controlled"), and the
// cryptography flags are asked of the operation engine itself.
func TEEProperties(deviceID tee.UUID) []wire.Property {
	u32 := func(v uint32) string { return fmt.Sprint(v) }
	b := strconv.FormatBool
	return []wire.Property{
		{Name: "gpd.tee.apiversion", Value: "1.3.1"},
		{Name: "gpd.tee.internalCore.version", Value: u32(internalCoreVersion)},
		{Name: "gpd.tee.description", Value: "gotee " + implVersion + ": a GlobalPlatform TEE in software"},
		{Name: "gpd.tee.deviceID", Value: deviceID.String()},
		{Name: "gpd.tee.systemTime.protectionLevel", Value: u32(100)},
		{Name: "gpd.tee.TAPersistentTime.protectionLevel", Value: u32(100)},
		{Name: "gpd.tee.arith.maxBigIntSize", Value: u32(4096)},
		{Name: "gpd.tee.cryptography.ecc", Value: b(supported(eccAlgorithms))},
		{Name: "gpd.tee.cryptography.nist", Value: b(supported(nistAlgorithms))},
		{Name: "gpd.tee.cryptography.bsi-r", Value: "false"}, // no Brainpool curves
		{Name: "gpd.tee.cryptography.bsi-t", Value: "false"},
		{Name: "gpd.tee.cryptography.ietf", Value: b(supported(ietfAlgorithms))},
		{Name: "gpd.tee.cryptography.octa", Value: b(supported(octaAlgorithms))},
		// The rollback counter is a file of the REE's: detection, not prevention.
		{Name: "gpd.tee.trustedStorage.antiRollback.protectionLevel", Value: u32(100)},
		{Name: "gpd.tee.trustedStorage.rollbackDetection.protectionLevel", Value: u32(100)},
		{Name: "gpd.tee.trustedos.implementation.version", Value: implVersion},
		{Name: "gpd.tee.trustedos.implementation.binaryversion", Value: u32(implBinaryVersion)},
		{Name: "gpd.tee.trustedos.manufacturer", Value: "gotee"},
		{Name: "gpd.tee.firmware.implementation.version", Value: implVersion},
		{Name: "gpd.tee.firmware.implementation.binaryversion", Value: u32(implBinaryVersion)},
		{Name: "gpd.tee.firmware.manufacturer", Value: "gotee"},
		{Name: "gpd.tee.event.maxSources", Value: u32(0)},
	}
}

// algElement is an algorithm with the curve it is asked about.
type algElement struct {
	alg     tee.Algorithm
	element tee.Element
}

// The algorithm and curve pairs each cryptography property stands for (Internal Core
// API §4.7, Table 4-12): ecc any ECC at all, nist the NIST curves of Table 6-14, ietf
// Curve25519 and Curve448 (RFC 7748, RFC 8032), octa the Chinese SM2 suite.
var (
	eccAlgorithms  = []algElement{{tee.AlgECDSASHA256, tee.CurveNISTP256}}
	nistAlgorithms = func() []algElement {
		var l []algElement
		for _, c := range []tee.Element{tee.CurveNISTP192, tee.CurveNISTP224, tee.CurveNISTP256, tee.CurveNISTP384, tee.CurveNISTP521} {
			l = append(l, algElement{tee.AlgECDSASHA256, c}, algElement{tee.AlgECDHDeriveSharedSecret, c})
		}
		return l
	}()
	ietfAlgorithms = []algElement{
		{tee.AlgEd25519, tee.Curve25519}, {tee.AlgX25519, tee.Curve25519},
		{tee.AlgEd448, tee.Curve448}, {tee.AlgX448, tee.Curve448},
	}
	octaAlgorithms = []algElement{
		{tee.AlgSM2DSASM3, tee.CurveSM2}, {tee.AlgSM2PKE, tee.CurveSM2}, {tee.AlgSM2KEP, tee.CurveSM2},
		{tee.AlgSM3, tee.ElementNone}, {tee.AlgSM4CBCNoPad, tee.ElementNone},
	}
)

// supported reports whether the operation engine implements every pair of l.
func supported(l []algElement) bool {
	for _, a := range l {
		if crypto.IsAlgorithmSupported(a.alg, a.element) != nil {
			return false
		}
	}
	return true
}
