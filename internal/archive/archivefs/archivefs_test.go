package archivefs_test

import (
	"io"
	"testing"

	"taxiexam/internal/archive/archivefs"
	"taxiexam/internal/platform/apperr"
)

func TestHalfWrittenExportIsNeverServed(t *testing.T) {
	d, err := archivefs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w, err := d.Create(4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("PK...")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Open(4); !apperr.ErrNotFound.Is(err) {
		t.Fatalf("open while writing: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rc, n, err := d.Open(4)
	if err != nil || n != 5 {
		t.Fatalf("open: %d %v", n, err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "PK..." {
		t.Fatalf("content %q", b)
	}
	if err := d.Remove(4); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Open(4); !apperr.ErrNotFound.Is(err) {
		t.Fatalf("after remove: %v", err)
	}
}
