// Package daemon assembles teed from its parts: configuration (TOML, overridden by
// flags), the TA store and its trust anchors, the listening socket, and the
// dispatcher of internal/core. cmd/teed only parses flags and calls Run.
package daemon
