package imagecheck_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"sync"
	"sync/atomic"
	"testing"

	"taxiexam/internal/platform/imagecheck"
)

func encode(t *testing.T, format string, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCheck(t *testing.T) {
	t.Parallel()
	lim := imagecheck.Limits{MaxSide: 1000, MaxPixels: 500 * 500}
	small := encode(t, "png", image.NewRGBA(image.Rect(0, 0, 40, 30)))
	tests := []struct {
		name      string
		data      []byte
		want      error
		wantBytes int64
	}{
		{"png rgba", small, nil, 40 * 30 * 4},
		{"png 16-bit", encode(t, "png", image.NewRGBA64(image.Rect(0, 0, 10, 10))), nil, 10 * 10 * 8},
		{"png gray", encode(t, "png", image.NewGray(image.Rect(0, 0, 10, 10))), nil, 100},
		{"jpeg", encode(t, "jpeg", image.NewRGBA(image.Rect(0, 0, 16, 16))), nil, 16 * 16 * 3},
		{"gif", encode(t, "gif", image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White})), nil, 64},
		{"side over the limit", encode(t, "png", image.NewGray(image.Rect(0, 0, 1001, 10))), imagecheck.ErrTooLarge, 0},
		{"pixels over the limit", encode(t, "png", image.NewGray(image.Rect(0, 0, 600, 600))), imagecheck.ErrTooLarge, 0},
		{"not an image", []byte("%PDF-1.4"), imagecheck.ErrNotImage, 0},
		{"truncated", small[:len(small)-20], imagecheck.ErrDamaged, 0},
	}
	d := imagecheck.NewDecoder(1)
	for _, tt := range tests {
		h, err := d.Check(context.Background(), tt.data, lim)
		if !errors.Is(err, tt.want) || (tt.wantBytes != 0 && h.DecodedBytes != tt.wantBytes) {
			t.Errorf("%s: %+v %v", tt.name, h, err)
		}
	}
}

// TestDecoderSharedByParallelCallers: many callers through two slots all
// get their answer.
func TestDecoderSharedByParallelCallers(t *testing.T) {
	t.Parallel()
	data := encode(t, "png", image.NewGray(image.Rect(0, 0, 800, 800)))
	d := imagecheck.NewDecoder(2)
	lim := imagecheck.Limits{MaxSide: 2000, MaxPixels: 4_000_000}
	var wg sync.WaitGroup
	var done atomic.Int32
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.Check(context.Background(), data, lim); err == nil {
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if done.Load() != 6 {
		t.Fatalf("%d of 6 decodes succeeded", done.Load())
	}
}
