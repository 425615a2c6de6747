package pdf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sc "github.com/secondchance/secondchance"
)

// TestPriceTagBarcode renders a tag, checks it is one 2.25 × 1.25 inch page, and reads its
// Code 128 barcode back from an image as a scanner at the till would.
func TestPriceTagBarcode(t *testing.T) {
	t.Parallel()
	price := sc.USD(1250)
	tag := &sc.PriceTag{Code: sc.ItemCode(4217), Description: "Tea bowl · 日本製の茶碗, hand-thrown, with a long description that wraps",
		Grade: sc.GradeGood, Price: &price, StoreName: "The Second Chance Store", PrintedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	pdf, err := testRenderer(t).PriceTag(tag)
	if err != nil {
		t.Fatal(err)
	}
	info := poppler(t, pdf, "pdfinfo", "-")
	if !strings.Contains(info, "Page size:       162 x 90 pts") {
		t.Errorf("the tag is not 2.25 × 1.25 inches (162 × 90 pt):\n%s", info)
	}
	text := pdftotext(t, pdf)
	for _, s := range []string{"I004217", "12.50 USD", "GOOD", "日本製の茶碗"} {
		if !strings.Contains(text, s) {
			t.Errorf("the tag lacks %q:\n%s", s, text)
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "tag.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "300", "-png", "-singlefile", in, filepath.Join(dir, "tag")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Scode128.enable", filepath.Join(dir, "tag.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg found no Code 128: %v (make test installs zbar-tools)", err)
	}
	if got := strings.TrimSpace(string(out)); got != "I004217" {
		t.Errorf("the barcode reads %q, want I004217", got)
	}
	if _, err := testRenderer(t).PriceTag(&sc.PriceTag{}); err == nil {
		t.Error("a tag without a code rendered")
	}
}
