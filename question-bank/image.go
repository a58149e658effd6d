package questionbank

import "time"

// Image is an uploaded picture (traffic sign, meter photo), addressed by
// the SHA-256 of its bytes.
type Image struct {
	ID          string // sha256 hex
	ContentType string
	Width       int
	Height      int
	Data        []byte
	CreatedAt   time.Time
}

// ImageURL is where the API serves an image.
func ImageURL(id string) string { return "/api/v1/bank/images/" + id }
