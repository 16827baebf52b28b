package protocol

// Commands of the provisioned keystore and of TA key provisioning. They have numbers of
// their own (60–69), apart from the sequence of protocol.go, so that they never move
// when other commands are added.
const (
	// CmdProvisionRootKeys stores the installation's root keys in the SecAPI TA's
	// trusted storage. Request: Var unique (16 or 32 bytes), Var common (16 or 32
	// bytes), u64 device ID (0: keep gpd.tee.deviceID). No reply. Only a LoginUser
	// session of uid 0; once provisioned, only the same keys again (idempotent).
	CmdProvisionRootKeys uint32 = 60
	// CmdRootKeysStatus reports whether root keys are provisioned. No request; reply
	// u32 1 (provisioned, and the keys this session uses) or 0 (DeviceSecret keys).
	CmdRootKeysStatus uint32 = 61
	// CmdKeyProvisionTA is sa_key_provision_ta. Request: u32 ta_key_type, then per
	// type (see docs/secapi.md); parameter 2 is the credential blob.
	CmdKeyProvisionTA uint32 = 62
)

// MaxRootKey is the longest root key the keystore holds (AES-256), as the
// reference's OTP layer reads at most a 256-bit key.
const MaxRootKey = 32

// TA key types (sa_key_type_ta).
const (
	ProvisionWidevineOEM = 0
	ProvisionPlayReady   = 1
	ProvisionAppleMFi    = 2
	ProvisionFairPlay    = 3
	ProvisionNetflix     = 4
)
