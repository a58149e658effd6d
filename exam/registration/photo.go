package registration

import (
	"bytes"
	"image"
	_ "image/jpeg" // decoders for CheckPhoto
	_ "image/png"
	"net/http"
)

// Photo limits: a recent ID photo (1-inch is 295x413 px at 300 dpi).
const (
	PhotoMinWidth  = 260
	PhotoMinHeight = 320
	PhotoMaxSide   = 6000
)

// CheckPhoto accepts a JPEG or PNG of sane size and dimensions and returns
// its media type and file extension. The type is read from the content,
// never from a client's name or header; the whole image is decoded so a
// truncated or disguised file is refused.
func CheckPhoto(data []byte, maxBytes int) (ctype, ext string, err error) {
	if len(data) > maxBytes {
		return "", "", ErrPhotoTooLarge.WithMessage("the photo is larger than %d KB", maxBytes/1024)
	}
	switch http.DetectContentType(data) {
	case "image/jpeg":
		ctype, ext = "image/jpeg", "jpg"
	case "image/png":
		ctype, ext = "image/png", "png"
	default:
		return "", "", ErrPhotoInvalid.WithField("photo", "not a JPEG or PNG image")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != ctype {
		return "", "", ErrPhotoInvalid.WithField("photo", "the image cannot be read")
	}
	if cfg.Width > PhotoMaxSide || cfg.Height > PhotoMaxSide {
		return "", "", ErrPhotoInvalid.WithField("photo", "the image is larger than 6000 px on a side")
	}
	if cfg.Width < PhotoMinWidth || cfg.Height < PhotoMinHeight {
		return "", "", ErrPhotoInvalid.WithMessage("the photo is too small").WithField("photo", "at least 260 x 320 pixels")
	}
	if cfg.Height < cfg.Width {
		return "", "", ErrPhotoInvalid.WithMessage("the photo must be upright").WithField("photo", "must be taller than it is wide (portrait)")
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return "", "", ErrPhotoInvalid.WithField("photo", "the image is damaged")
	}
	return ctype, ext, nil
}
