package pii

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"taxiexam/configs"
)

// FromConfig builds the Protector from configured keys. With
// generate_missing_keys (embedded default only) missing keys are created once
// under <data_dir>/keys with mode 0600 and reused on every later start; they
// are never printed.
func FromConfig(sec configs.Security, dataDir string) (*Protector, error) {
	dataKeys, bidx := sec.DataKeys, sec.BlindIndexKey
	if sec.GenerateMissingKeys {
		var err error
		dir := filepath.Join(dataDir, "keys")
		if dataKeys == "" {
			if dataKeys, err = readOrCreate(filepath.Join(dir, "data_keys"), func() string { return "k1:" + NewKey() }); err != nil {
				return nil, err
			}
		}
		if bidx == "" {
			if bidx, err = readOrCreate(filepath.Join(dir, "blind_index_key"), NewKey); err != nil {
				return nil, err
			}
		}
	}
	p, err := New(dataKeys, bidx)
	if err != nil {
		return nil, fmt.Errorf("setting security.data_keys/blind_index_key: %w", err)
	}
	return p, nil
}

func readOrCreate(path string, gen func() string) (string, error) {
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
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(v + "\n"); err != nil {
		return "", err
	}
	return v, nil
}
