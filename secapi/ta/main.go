// Command ta is the SecAPI 3 TA: the logic is secapi/internal/tacore; this package only
// runs it as a TA process. Its manifest makes it multi-instance, so every session is
// its own instance and sessions run in parallel.
package main

import (
	"github.com/gotee/gotee/secapi/internal/tacore"
	"github.com/gotee/gotee/ta"
)

func main() { ta.Main(tacore.New(nil)) }
