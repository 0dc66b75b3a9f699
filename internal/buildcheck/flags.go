package buildcheck

import (
	"os"
	"path/filepath"
	"strings"
)

// FlagsFile is the file, relative to the module root, that holds the go
// build flags of the page's WebAssembly module.
const FlagsFile = "scripts/wasm.flags"

// WasmFlags returns the go build flags of FlagsFile under root: one per
// line, without blank lines and # comments.
func WasmFlags(root string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(FlagsFile)))
	if err != nil {
		return nil, err
	}
	var flags []string
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			flags = append(flags, line)
		}
	}
	return flags, nil
}
