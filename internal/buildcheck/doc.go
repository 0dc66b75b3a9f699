// Package buildcheck holds tests of how the module builds: which packages
// the WebAssembly build links (net/http must not be among them: the
// browser build makes its requests with fetch), and the size budget of the
// WebAssembly module the page downloads. WasmFlags reads the build flags of
// that module, for the tests and scripts/wasmsize.
package buildcheck
