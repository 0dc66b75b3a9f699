// Package buildcheck holds tests of how the module builds, with no code of
// its own: which packages the WebAssembly build links (net/http must not
// be among them: the browser build makes its requests with fetch), and the
// size budget of the WebAssembly module the page downloads.
package buildcheck
