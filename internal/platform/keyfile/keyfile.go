// Package keyfile keeps the keys the embedded default generates for itself
// (security.generate_missing_keys): created once with mode 0600 under the
// data directory, reused on every later start, never printed.
package keyfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ReadOrCreate returns the key stored at path, or writes gen() there first.
// O_EXCL makes two processes starting at once agree on one key.
func ReadOrCreate(path string, gen func() string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	v := gen()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return ReadOrCreate(path, gen)
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(v + "\n"); err != nil {
		return "", err
	}
	return v, nil
}
