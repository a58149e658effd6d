package pii

import (
	"fmt"
	"path/filepath"

	"taxiexam/configs"
	"taxiexam/internal/platform/keyfile"
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
			if dataKeys, err = keyfile.ReadOrCreate(filepath.Join(dir, "data_keys"), func() string { return "k1:" + NewKey() }); err != nil {
				return nil, err
			}
		}
		if bidx == "" {
			if bidx, err = keyfile.ReadOrCreate(filepath.Join(dir, "blind_index_key"), NewKey); err != nil {
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
