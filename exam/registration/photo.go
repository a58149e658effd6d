package registration

import (
	"context"
	"errors"
	"net/http"

	"taxiexam/internal/platform/imagecheck"
)

// Photo limits: a recent ID photo (1-inch is 295x413 px at 300 dpi); the
// upper bounds admit a 12-megapixel phone photo and nothing bigger, so one
// decode costs at most ~50 MB however small the file claiming it is.
const (
	PhotoMinWidth  = 260
	PhotoMinHeight = 320
	PhotoMaxSide   = 4096
	PhotoMaxPixels = 4096 * 3072
)

// CheckPhoto accepts a JPEG or PNG of sane size and dimensions and returns
// its media type and file extension. The type is read from the content,
// never from a client's name or header; the dimensions from the header
// before anything is decoded; then the whole image is decoded (a few at a
// time, through images) so a truncated or disguised file is refused.
func CheckPhoto(ctx context.Context, images *imagecheck.Decoder, data []byte, maxBytes int) (ctype, ext string, err error) {
	if len(data) > maxBytes {
		return "", "", ErrPhotoTooLarge.WithMessage("the photo is larger than %d KB", maxBytes/1024)
	}
	switch http.DetectContentType(data) {
	case "image/jpeg":
		ctype, ext = "image/jpeg", "jpg"
	case "image/png":
		ctype, ext = "image/png", "png"
	default:
		return "", "", ErrPhotoInvalid.WithField("photo", rsnNotAJpegOrPngImage)
	}
	h, err := imagecheck.ReadHeader(data)
	if err != nil || "image/"+h.Format != ctype {
		return "", "", ErrPhotoInvalid.WithField("photo", rsnTheImageCannotBeRead)
	}
	if h.Width < PhotoMinWidth || h.Height < PhotoMinHeight {
		return "", "", ErrPhotoInvalid.WithMessage("the photo is too small").WithField("photo", rsnAtLeast260X320Pixels)
	}
	if h.Height < h.Width {
		return "", "", ErrPhotoInvalid.WithMessage("the photo must be upright").WithField("photo", rsnMustBeTallerThanItIs)
	}
	_, err = images.Check(ctx, data, imagecheck.Limits{MaxSide: PhotoMaxSide, MaxPixels: PhotoMaxPixels})
	switch {
	case errors.Is(err, imagecheck.ErrTooLarge):
		return "", "", ErrPhotoInvalid.WithMessage("the photo has too many pixels").WithField("photo", rsnAtMost3072X4096Pixels)
	case errors.Is(err, imagecheck.ErrDamaged), errors.Is(err, imagecheck.ErrNotImage):
		return "", "", ErrPhotoInvalid.WithField("photo", rsnTheImageIsDamaged)
	case err != nil:
		return "", "", err
	}
	return ctype, ext, nil
}
