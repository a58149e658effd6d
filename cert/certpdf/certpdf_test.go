package certpdf_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taxiexam/cert"
	"taxiexam/cert/certpdf"
)

func card() cert.Card {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	c := cert.Certificate{ID: 42, ApplicationID: 7, Kind: cert.KindRideHailing, Version: 1, HolderName: "欧阳晓燕", IDNumber: "350203199001010014",
		Authority: "漳州市交通运输局", IssuedOn: day, ExpiresOn: day.AddDate(6, 0, -1), Status: cert.StatusValid, CreatedAt: day}
	c.LicenceID = cert.LicenceID{TypeCode: c.Kind.TypeCode(), IssuerCode: "11350600MB0000000X", Serial: "2026000000007", Version: 1}.String()
	return cert.Card{Certificate: c, Live: cert.StatusValid, VerifyURL: "https://exam.example.cn/v/VEVTVA.t1.c2lnbmF0dXJl"}
}

func photo(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 295, 413))
	for y := 0; y < 413; y++ {
		for x := 0; x < 295; x++ {
			img.Set(x, y, color.RGBA{uint8(x), 120, uint8(y / 2), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func need(t *testing.T, tools ...string) {
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s missing (scripts/ensure-browser-tools.sh installs it)", tool)
			}
			t.Skipf("%s missing (scripts/ensure-browser-tools.sh installs it)", tool)
		}
	}
}

// TestPDFReadsBackAndItsQRDecodes renders a certificate, extracts its text
// (the Chinese must come back as Chinese, not boxes) and decodes the QR code
// from the page rendered at print resolution.
func TestPDFReadsBackAndItsQRDecodes(t *testing.T) {
	need(t, "pdftotext", "pdftoppm", "zbarimg")
	c := card()
	qr, err := cert.QRPNG(c.VerifyURL, 640)
	if err != nil {
		t.Fatal(err)
	}
	b, err := certpdf.Renderer{}.PDF(c, photo(t), qr)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 400<<10 {
		t.Errorf("PDF is %d KB; the font subset should keep it small", len(b)>>10)
	}
	dir := t.TempDir()
	pdfPath := filepath.Join(dir, "c.pdf")
	if err := os.WriteFile(pdfPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"网络预约出租汽车驾驶员证", "欧阳晓燕", "350203199001010014", "漳州市交通运输局", "2032年05月31日", c.LicenceID} {
		if !strings.Contains(string(text), want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if out, err := exec.Command("pdftoppm", "-r", "200", "-png", "-singlefile", pdfPath, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	got, err := exec.Command("zbarimg", "-q", "--raw", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code: %v", err)
	}
	if strings.TrimSpace(string(got)) != c.VerifyURL {
		t.Fatalf("QR decodes to %q, want %q", got, c.VerifyURL)
	}
}

func BenchmarkPDF(b *testing.B) {
	c := card()
	qr, _ := cert.QRPNG(c.VerifyURL, 640)
	ph := photo(&testing.T{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (certpdf.Renderer{}).PDF(c, ph, qr); err != nil {
			b.Fatal(err)
		}
	}
}
