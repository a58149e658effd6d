// Package photofs keeps uploaded ID photos in a directory outside the web
// root (<data_dir>/uploads/photos). Names are random; files are 0600 and
// only ever read back through an authorised API route.
//
// On several nodes the directory must be shared storage (NFS or a mounted
// object store); see docs/architecture.md.
package photofs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"taxiexam/internal/platform/apperr"
)

// Dir stores photos as files.
type Dir struct{ root string }

// New creates the directory (0700) if needed.
func New(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("photo directory: %w", err)
	}
	return &Dir{root: root}, nil
}

var keyRE = regexp.MustCompile(`^[0-9a-f]{32}\.(jpg|png)$`)

// Save writes data under a new random name and returns it.
func (d *Dir) Save(_ context.Context, data []byte, ext string) (string, error) {
	if ext != "jpg" && ext != "png" {
		return "", fmt.Errorf("photofs: extension %q", ext)
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := hex.EncodeToString(b) + "." + ext
	tmp := filepath.Join(d.root, "."+key+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, filepath.Join(d.root, key)); err != nil {
		_ = os.Remove(tmp)
		return "", err
	}
	return key, nil
}

func (d *Dir) path(key string) (string, error) {
	if !keyRE.MatchString(key) { // never a path from outside
		return "", apperr.ErrNotFound
	}
	return filepath.Join(d.root, key), nil
}

// Open reads a stored photo.
func (d *Dir) Open(_ context.Context, key string) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, apperr.ErrNotFound
	}
	return b, err
}

// Delete removes a stored photo (missing is fine).
func (d *Dir) Delete(_ context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
