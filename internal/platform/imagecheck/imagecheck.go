// Package imagecheck vets uploaded images without trusting them: the header
// (format, dimensions, colour model) is read first and anything whose
// decoded size exceeds the caller's limits is refused before a single pixel
// is decoded, so a small file declaring a huge canvas (a decompression
// bomb) costs nothing. Full decodes, which check that the data is really an
// image, run a few at a time per process.
package imagecheck

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	_ "image/gif" // decoders: PNG, JPEG and GIF only
	_ "image/jpeg"
	_ "image/png"
)

// Limits bound what an upload may decode to.
type Limits struct {
	MaxSide   int // widest width or height, px
	MaxPixels int // width x height
}

// Header is what an image declares about itself.
type Header struct {
	Format        string // "png", "jpeg", "gif"
	Width, Height int
	// DecodedBytes is the memory a full decode allocates for the pixels.
	DecodedBytes int64
}

var (
	// ErrNotImage: not a PNG, JPEG or GIF, or its header is unreadable.
	ErrNotImage = errors.New("imagecheck: not a readable PNG, JPEG or GIF")
	// ErrTooLarge: the declared dimensions exceed the limits.
	ErrTooLarge = errors.New("imagecheck: image dimensions over the limit")
	// ErrDamaged: the header is fine but the pixel data does not decode.
	ErrDamaged = errors.New("imagecheck: image data is damaged")
)

// ReadHeader reads only the header. image.DecodeConfig stops after the
// PNG IHDR chunk, the JPEG frame header or the GIF screen descriptor.
func ReadHeader(data []byte) (Header, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return Header{}, ErrNotImage
	}
	return Header{Format: format, Width: cfg.Width, Height: cfg.Height,
		DecodedBytes: int64(cfg.Width) * int64(cfg.Height) * bytesPerPixel(cfg.ColorModel)}, nil
}

// bytesPerPixel is what Go's decoders allocate per pixel for a model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.YCbCrModel:
		return 3 // 4:4:4 at most
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4 // RGBA, NRGBA, CMYK
}

// Check reads the header and refuses an image over lim; only then does it
// decode the whole image (under d's bound) to prove the data is intact.
func (d *Decoder) Check(ctx context.Context, data []byte, lim Limits) (Header, error) {
	h, err := ReadHeader(data)
	if err != nil {
		return Header{}, err
	}
	if h.Width > lim.MaxSide || h.Height > lim.MaxSide || int64(h.Width)*int64(h.Height) > int64(lim.MaxPixels) {
		return h, ErrTooLarge
	}
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return h, ctx.Err()
	}
	defer func() { <-d.slots }()
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return h, ErrDamaged
	}
	return h, nil
}

// Decoder bounds how many full decodes run at once, so parallel uploads of
// the largest allowed image cost at most slots times its decoded size.
type Decoder struct{ slots chan struct{} }

// NewDecoder allows n decodes at a time (at least 1).
func NewDecoder(n int) *Decoder { return &Decoder{slots: make(chan struct{}, max(n, 1))} }
