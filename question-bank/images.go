package questionbank

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/imagecheck"
)

// Image limits: the largest width or height, and pixels in all (a traffic
// sign or meter photo needs far less; one decode costs at most ~16 MB).
const (
	MaxImageSide   = 4096
	MaxImagePixels = 2048 * 2048
)

// UploadImage checks that data is a PNG, JPEG or GIF of acceptable size
// and stores it. The dimensions are read from the header before anything
// is decoded. Uploading the same bytes twice returns the same image.
func (s *Service) UploadImage(ctx context.Context, data []byte) (Image, error) {
	if len(data) > s.cfg.MaxImageBytes {
		return Image{}, ErrImageTooLarge.WithMessage("the image is larger than %d KiB", s.cfg.MaxImageBytes>>10)
	}
	if len(data) == 0 {
		return Image{}, ErrNotAnImage.WithMessage("the upload is empty")
	}
	h, err := s.cfg.Images.Check(ctx, data, imagecheck.Limits{MaxSide: MaxImageSide, MaxPixels: MaxImagePixels})
	switch {
	case errors.Is(err, imagecheck.ErrNotImage):
		return Image{}, ErrNotAnImage
	case errors.Is(err, imagecheck.ErrTooLarge):
		return Image{}, ErrImageTooLarge.WithMessage("images may be at most %d px on a side and %d megapixels", MaxImageSide, MaxImagePixels/1_000_000)
	case errors.Is(err, imagecheck.ErrDamaged):
		return Image{}, ErrNotAnImage.WithMessage("the image is damaged")
	case err != nil:
		return Image{}, err
	}
	format, cfg := h.Format, h
	sum := sha256.Sum256(data)
	img := Image{ID: hex.EncodeToString(sum[:]), ContentType: "image/" + format, Width: cfg.Width, Height: cfg.Height, Data: data, CreatedAt: s.clock.Now().UTC()}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.PutImage(ctx, img); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "image.upload", TargetType: "image", TargetID: img.ID,
			After: map[string]any{"content_type": img.ContentType, "width": img.Width, "height": img.Height, "bytes": len(data)}})
	})
	if err != nil {
		return Image{}, err
	}
	return img, nil
}

// Image returns an uploaded image.
func (s *Service) Image(ctx context.Context, id string) (Image, error) {
	if !imageIDRE.MatchString(id) {
		return Image{}, apperr.ErrNotFound
	}
	return s.store.Image(ctx, id)
}
