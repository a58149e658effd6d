package questionbank

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/gif"  // register decoders used by DecodeConfig
	_ "image/jpeg" //
	_ "image/png"  //

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
)

// MaxImageSide is the largest width or height accepted.
const MaxImageSide = 4096

// UploadImage checks that data is a PNG, JPEG or GIF of acceptable size
// and stores it. Uploading the same bytes twice returns the same image.
func (s *Service) UploadImage(ctx context.Context, data []byte) (Image, error) {
	if len(data) > s.cfg.MaxImageBytes {
		return Image{}, ErrImageTooLarge.WithMessage("the image is larger than %d KiB", s.cfg.MaxImageBytes>>10)
	}
	if len(data) == 0 {
		return Image{}, ErrNotAnImage.WithMessage("the upload is empty")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Image{}, ErrNotAnImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return Image{}, ErrImageTooLarge.WithMessage("images may be at most %d x %d pixels", MaxImageSide, MaxImageSide)
	}
	// the whole file must decode, not only its header
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return Image{}, ErrNotAnImage.WithMessage("the image is damaged")
	}
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
