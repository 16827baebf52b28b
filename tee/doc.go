// Package tee is the vocabulary shared by both worlds of gotee: the normal-world client
// API, the daemon teed and the Trusted Application SDK all speak in these types.
//
// It holds what the GlobalPlatform TEE Client API v1.0 (GPD_SPE_007) and the TEE
// Internal Core API v1.3.1 (GPD_SPE_010) define once for everybody: UUIDs, result
// codes and their origins, parameter types, login methods and the client identity a
// login yields. Results are Go errors: a bare [Result] is a sentinel for [errors.Is],
// and an [*Error] adds the [Origin] for [errors.As]. Codes cross process boundaries,
// never strings.
package tee
