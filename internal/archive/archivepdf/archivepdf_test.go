package archivepdf_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taxiexam/internal/archive"
	"taxiexam/internal/archive/archivepdf"
)

func TestDossierPDFReadsInChinese(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	r := archive.Record{Format: archive.Format, GeneratedAt: at, FullData: true,
		Candidate: archive.Person{CandidateID: 12, Name: "欧阳明", IDNumber: "35050219900101123X", Phone: "13600136200", RegisteredAt: at},
		Results:   []archive.ResultRecord{{Subject: "national", Score: 92, TotalPoints: 100, PassPercent: 80, Passed: true, SatAt: at, ValidUntil: at.AddDate(3, 0, 0), ValidNow: true}},
		Bookings:  []archive.BookingRecord{{ID: 3, Centre: "漳州考点", Room: "一号考场", StartsAt: at, Seat: 4, TicketNo: "T1", Status: "absent"}},
		Ledger:    []archive.LedgerRecord{{Seq: 1, Kind: "subject_result", Subject: "subject_result:1", At: at, Hash: strings.Repeat("ab", 32)}},
	}
	long := strings.Repeat("驾驶员在营运过程中应当文明礼貌、热情服务", 10)
	papers := []archive.PaperRecord{{AttemptID: 9, Kind: "formal", Questions: []archive.PaperQuestion{{Position: 1, Subject: "national", QuestionID: 5, Version: 2, Stem: long, Given: []string{"A"}, Answer: []string{"A"}, Correct: true}}}}
	b, err := archivepdf.Renderer{}.PDF(r, papers)
	if err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("pdf: %v", err)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed")
	}
	f := filepath.Join(t.TempDir(), "d.pdf")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"考生档案", "欧阳明", "35050219900101123X", "缺考", "全国公共科目", "正式考试答卷", "驾驶员在营运过程中", "第1页"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
}
