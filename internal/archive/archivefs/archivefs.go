// Package archivefs keeps finished bulk exports as files under one
// directory (shared storage when several nodes run, like the photos).
package archivefs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"taxiexam/internal/archive"
	"taxiexam/internal/platform/apperr"
)

// Dir implements archive.ExportFiles.
type Dir struct{ path string }

var _ archive.ExportFiles = Dir{}

// New makes (if needed) and returns the directory, private to the process user.
func New(path string) (Dir, error) {
	if err := os.MkdirAll(path, 0o700); err != nil {
		return Dir{}, fmt.Errorf("archive export directory: %w", err)
	}
	return Dir{path: path}, nil
}

func (d Dir) name(id int64) string { return filepath.Join(d.path, fmt.Sprintf("export-%d.zip", id)) }

// file is written beside its final name and renamed on Close, so a
// half-written export is never served.
type file struct {
	*os.File
	final string
}

func (f file) Close() error {
	if err := f.File.Close(); err != nil {
		return err
	}
	return os.Rename(f.File.Name(), f.final)
}

func (d Dir) Create(id int64) (io.WriteCloser, error) {
	f, err := os.OpenFile(d.name(id)+".part", os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	return file{File: f, final: d.name(id)}, nil
}

func (d Dir) Open(id int64) (io.ReadCloser, int64, error) {
	f, err := os.Open(d.name(id))
	if os.IsNotExist(err) {
		return nil, 0, apperr.ErrNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

func (d Dir) Remove(id int64) error {
	for _, n := range []string{d.name(id), d.name(id) + ".part"} {
		if err := os.Remove(n); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
