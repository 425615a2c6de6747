package db_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
	"github.com/secondchance/secondchance/pdf"
)

// failingRenderer renders the first ok certificates, then fails.
type failingRenderer struct {
	sc.DocumentRenderer
	ok int64
	n  atomic.Int64
}

func (f *failingRenderer) Certificate(c *sc.CertificateDocument) ([]byte, error) {
	if f.n.Add(1) > f.ok {
		return nil, errors.New("the renderer broke")
	}
	return f.DocumentRenderer.Certificate(c)
}

// TestIssueCertificatesResumes: a run that fails part way leaves only whole certificates, each
// with all its items, and running it again issues the rest, none twice.
func TestIssueCertificatesResumes(t *testing.T) {
	t.Parallel()
	fonts, err := pdf.LoadFonts(pdf.DebianFonts)
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.New(t)
	settledSellers(t, d, 60, 0)
	ctx := sc.NewSystemContext(context.Background())
	req := sc.IssueRequest{Kind: sc.CertificateSettlement, From: time.Unix(0, 0), To: time.Now().Add(time.Hour)}

	d.CertificateSetup = db.CertificateSetup{Renderer: &failingRenderer{DocumentRenderer: pdf.NewRenderer(fonts), ok: 30}, PublicURL: "https://x"}
	if _, err := d.IssueCertificates(ctx, req, nil); err == nil {
		t.Fatal("the run did not report the renderer's failure")
	}
	var first, partial int
	if err := d.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE items <> (SELECT count(*) FROM item_proceeds ip WHERE ip.certificate_id = c.id))
		FROM certificates c`).Scan(&first, &partial); err != nil {
		t.Fatal(err)
	}
	if first > 30 || partial != 0 {
		t.Fatalf("after the failure: %d certificates, %d of them not whole", first, partial)
	}

	d.CertificateSetup.Renderer = pdf.NewRenderer(fonts)
	res, err := d.IssueCertificates(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Serials) != 60-first {
		t.Errorf("the second run issued %d, want the %d left", len(res.Serials), 60-first)
	}
	var total, sellers, uncertified int
	if err := d.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM certificates), (SELECT count(DISTINCT seller_id) FROM certificates),
		(SELECT count(*) FROM item_proceeds WHERE certificate_id IS NULL)`).Scan(&total, &sellers, &uncertified); err != nil {
		t.Fatal(err)
	}
	if total != 60 || sellers != 60 || uncertified != 0 {
		t.Errorf("%d certificates for %d sellers, %d items without one; want 60, 60, 0", total, sellers, uncertified)
	}
}
