package http_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	netmail "net/mail"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/http/apitest"
	"github.com/secondchance/secondchance/jobs"
	"github.com/secondchance/secondchance/pdf"
)

// sellItems walks items of a seller's order to SOLD: an RMA, a parcel received by the store,
// routing and a sale at each price. It returns the items' IDs.
func sellItems(t *testing.T, tb *testBundle, seller, order string, descriptions []string, prices []string) []string {
	t.Helper()
	var lines, received []any
	for i, d := range descriptions {
		lines = append(lines, map[string]any{"description": d, "quantity": 1, "category": "Home", "declaredValue": map[string]any{"amount": "20", "currency": "USD"}})
		received = append(received, map[string]any{"rmaLine": i + 1, "description": d, "grade": "GOOD"})
	}
	res := tb.Query(t, seller, createRMA, map[string]any{"input": map[string]any{"orderNumber": order, "items": lines}})
	require.Empty(t, get(res.Data, "createReturnAuthorization", "userErrors"))
	code := get(res.Data, "createReturnAuthorization", "returnAuthorization", "code")
	res = tb.Query(t, tb.Staff, `mutation($input: ReceiveParcelInput!) { receiveParcel(input: $input) { parcel { items { id } } userErrors { code } } }`,
		map[string]any{"input": map[string]any{"rmaCode": code, "items": received}})
	require.Empty(t, get(res.Data, "receiveParcel", "userErrors"))
	var ids []string
	for i, it := range get(res.Data, "receiveParcel", "parcel", "items").([]any) {
		id := get(it, "id").(string)
		tb.Query(t, tb.Staff, `mutation($i: ID!) { routeItem(input: {item: $i, route: SALE}) { item { id } } }`, map[string]any{"i": id})
		res := tb.Query(t, tb.Staff, `mutation($i: ID!, $p: String!) { recordSale(input: {item: $i, price: {amount: $p, currency: "USD"}, channel: "store"}) { userErrors { code } } }`,
			map[string]any{"i": id, "p": prices[i]})
		require.Empty(t, get(res.Data, "recordSale", "userErrors"))
		ids = append(ids, id)
	}
	return ids
}

// certificateStore gives the store a fee schedule and a default charity, and seller A two
// charities of its own, with names in several scripts.
func certificateStore(t *testing.T, tb *testBundle) {
	t.Helper()
	charity := func(name, ein string) string {
		res := tb.Query(t, tb.Admin, `mutation($input: BeneficiaryInput!) { createBeneficiary(input: $input) { beneficiary { id } } }`,
			map[string]any{"input": map[string]any{"name": name, "ein": ein, "addressLine1": "1 Charity Way", "city": "Kansas City",
				"region": "MO", "postalCode": "64105", "country": "US"}})
		return get(res.Data, "createBeneficiary", "beneficiary", "id").(string)
	}
	a, b := charity("Фонд «Надежда»", "43-1111111"), charity("Société d'Entraide", "43-2222222")
	const setStore = `mutation($b: ID!, $ein: String) { setStoreDonations(input: {store: "SCS", beneficiary: $b, ein: $ein,
		fees: {intakeCents: 150, storageCents: 100, shippingCents: 0, commissionBasisPoints: 1000}}) { ok userErrors { field code } } }`
	res := tb.Query(t, tb.Admin, setStore, map[string]any{"b": b, "ein": "431234567"})
	require.Equal(t, []any{"input", "ein"}, get(res.Data, "setStoreDonations", "userErrors", 0, "field"))
	res = tb.Query(t, tb.Admin, setStore, map[string]any{"b": b, "ein": "43-1234567"})
	require.Equal(t, true, get(res.Data, "setStoreDonations", "ok"))
	res = tb.Query(t, tb.SellerA, `mutation($a: ID!, $b: ID!) { setDonationSplits(input: {splits: [{beneficiary: $a, percent: 70}, {beneficiary: $b, percent: 30}]}) { ok } }`,
		map[string]any{"a": a, "b": b})
	require.Equal(t, true, get(res.Data, "setDonationSplits", "ok"))
}

const certificateFields = `id serial kind status taxYear donorName itemCount gross { amount } costs { amount } net { amount }
	verificationCode verifyUrl downloadUrl pdfBytes replaces { serial } replacedBy { serial } voidReason store { code }`

// fetch GETs a server-relative copy of link (which starts with PUBLIC_URL).
func fetch(t *testing.T, tb *testBundle, link string) (*http.Response, []byte) {
	t.Helper()
	u, err := url.Parse(link)
	require.NoError(t, err)
	res, err := http.Get(tb.Server.URL + u.RequestURI())
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

// pdfPages checks with pdfinfo that a PDF parses without a complaint and returns its page count.
func pdfPages(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdfinfo", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "pdfinfo: %s", stderr.String())
	require.Empty(t, stderr.String(), "pdfinfo's complaints")
	for _, l := range strings.Split(string(out), "\n") {
		if n, ok := strings.CutPrefix(l, "Pages:"); ok {
			return strings.TrimSpace(n)
		}
	}
	require.FailNow(t, "pdfinfo printed no page count", string(out))
	return ""
}

// TestVoidCertificateDownload: a valid certificate downloads exactly as stored; once voided, the
// same link serves it stamped VOID with the date, the reason and the replacement on every
// page, the stored bytes unchanged and a prefix of the download; the replacement downloads
// clean.
func TestVoidCertificateDownload(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	certificateStore(t, tb)
	items := sellItems(t, tb, tb.SellerA, "S1-0", []string{"Speaker", "Cable"}, []string{"10.00", "5.00"})
	res := tb.Query(t, tb.Staff, `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { userErrors { code } } }`, map[string]any{"items": items})
	require.Empty(t, get(res.Data, "settleItems", "userErrors"))
	res = tb.Query(t, tb.Staff, `mutation { issueCertificates(input: {kind: SETTLEMENT}) { serials userErrors { code } } }`, nil)
	require.Len(t, get(res.Data, "issueCertificates", "serials"), 1)
	res = tb.Query(t, tb.SellerA, `{ certificates { nodes { id serial downloadUrl } } }`, nil)
	c := get(res.Data, "certificates", "nodes", 0)
	serial, link := get(c, "serial").(string), get(c, "downloadUrl").(string)
	storedPDF := func(serial string) []byte {
		t.Helper()
		var b []byte
		require.NoError(t, tb.DB.Get(&b, `SELECT pdf FROM certificates WHERE serial = $1`, serial))
		return b
	}
	stored := storedPDF(serial)

	resp, body := fetch(t, tb, link)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, stored, body, "a valid certificate downloads as stored")
	require.NotContains(t, pdfText(t, body), "VOID")

	const reason = "wrong legal name: Zoë Müller, not Zoe Muller"
	res = tb.Query(t, tb.Staff, `mutation($c: ID!, $r: String!) { voidCertificate(input: {certificate: $c, reason: $r}) {
		replacement { serial downloadUrl } userErrors { code } } }`, map[string]any{"c": get(c, "id"), "r": reason})
	require.Empty(t, get(res.Data, "voidCertificate", "userErrors"))
	replacement := get(res.Data, "voidCertificate", "replacement")
	var voidedAt time.Time
	require.NoError(t, tb.DB.Get(&voidedAt, `SELECT voided_at FROM certificates WHERE serial = $1`, serial))

	resp, stamped := fetch(t, tb, link)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(stamped))
	require.Equal(t, "application/pdf", resp.Header.Get("Content-Type"))
	require.Equal(t, strconv.Itoa(len(stamped)), resp.Header.Get("Content-Length"))
	require.True(t, bytes.HasPrefix(stamped, stored), "the stored PDF is a prefix of the stamped one")
	require.Equal(t, pdfPages(t, stored), pdfPages(t, stamped))
	text := strings.Join(strings.Fields(pdfText(t, stamped)), " ") // the notice wraps where it will
	for _, s := range []string{
		"VOID: certificate " + serial + " was voided on " + voidedAt.UTC().Format("2 January 2006"),
		"replaced by " + get(replacement, "serial").(string), "Reason: " + reason,
		"Serial number " + serial, "Speaker", "Cable", pdf.NoGoodsOrServices,
	} {
		require.Contains(t, text, s)
	}
	require.Equal(t, stored, storedPDF(serial), "the stored PDF is unchanged")

	// The replacement is valid: it downloads as stored, unstamped.
	resp, body = fetch(t, tb, get(replacement, "downloadUrl").(string))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, storedPDF(get(replacement, "serial").(string)), body)
	require.NotContains(t, pdfText(t, body), "VOID")
}

// TestCertificates walks certificates through their life over HTTP: a settlement of several
// sellers' items, the certificates the run issues (one per seller), their PDFs behind signed
// links, verification, voiding and reissue, the item's timeline, and the annual summary.
func TestCertificates(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	certificateStore(t, tb)
	res := tb.Query(t, tb.SellerA, `mutation($d: DonorDetailsInput!) { setDonorDetails(input: $d) { ok userErrors { field code } } }`,
		map[string]any{"d": map[string]any{"legalName": "", "addressLine1": "x", "city": "x", "region": "", "postalCode": "", "country": "usa"}})
	require.Equal(t, []any{"input", "legalName"}, get(res.Data, "setDonorDetails", "userErrors", 0, "field"))
	require.Equal(t, []any{"input", "country"}, get(res.Data, "setDonorDetails", "userErrors", 1, "field"))
	res = tb.Query(t, tb.SellerA, `mutation($d: DonorDetailsInput!) { setDonorDetails(input: $d) { ok userErrors { field code } } }`,
		map[string]any{"d": map[string]any{"legalName": "Zoë Müller 商店 Ελλάς", "addressLine1": "Straße des 17. Juni 135", "city": "Berlin",
			"region": "", "postalCode": "10623", "country": "DE"}})
	require.Equal(t, true, get(res.Data, "setDonorDetails", "ok"))

	aItems := sellItems(t, tb, tb.SellerA, "S1-0", []string{"Ελληνικό κεραμικό βάζο", "日本製の茶碗"}, []string{"35.50", "12.01"})
	aItems = append(aItems, sellItems(t, tb, tb.SellerA, "S1-1", []string{"한국 도자기 그릇"}, []string{"7.00"})...)
	bItems := sellItems(t, tb, tb.SellerB, "S2-0", []string{"Матрёшка"}, []string{"20.00"})

	const settle = `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { ledgers { pending { amount } } userErrors { field code } } }`
	res = tb.Query(t, tb.Staff, settle, map[string]any{"items": []any{aItems[0], aItems[0]}})
	require.Equal(t, []any{"input", "items", "1"}, get(res.Data, "settleItems", "userErrors", 0, "field"), "listed twice")
	res = tb.Query(t, tb.SellerA, settle, map[string]any{"items": aItems})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes(), "sellers do not settle")
	all := append(append([]string{}, aItems...), bItems...)
	res = tb.Query(t, tb.Staff, settle, map[string]any{"items": all})
	require.Empty(t, get(res.Data, "settleItems", "userErrors"))
	require.Len(t, get(res.Data, "settleItems", "ledgers"), 4)

	// Nothing settled yesterday; today's settlement issues one certificate per seller.
	const issue = `mutation($in: IssueCertificatesInput!) { issueCertificates(input: $in) { serials items userErrors { field code message } } }`
	now := time.Now()
	res = tb.Query(t, tb.Admin, issue, map[string]any{"in": map[string]any{"kind": "SETTLEMENT", "from": now.Add(-48 * time.Hour), "to": now.Add(-24 * time.Hour)}})
	require.Equal(t, "NOTHING_SETTLED", get(res.Data, "issueCertificates", "userErrors", 0, "code"))
	res = tb.Query(t, tb.Admin, issue, map[string]any{"in": map[string]any{"kind": "SETTLEMENT", "from": now, "to": now.Add(-time.Hour)}})
	require.Equal(t, "INVALID", get(res.Data, "issueCertificates", "userErrors", 0, "code"))
	res = tb.Query(t, tb.SellerA, issue, map[string]any{"in": map[string]any{"kind": "SETTLEMENT", "from": now.Add(-time.Hour), "to": now.Add(time.Hour)}})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())
	_, err := tb.DB.Exec(`UPDATE stores SET ein = '' WHERE code = 'SCS'`)
	require.NoError(t, err)
	res = tb.Query(t, tb.Staff, issue, map[string]any{"in": map[string]any{"kind": "SETTLEMENT", "from": now.Add(-time.Hour), "to": now.Add(time.Hour)}})
	require.Equal(t, []any{"input", "store"}, get(res.Data, "issueCertificates", "userErrors", 0, "field"), "no EIN to print")
	_, err = tb.DB.Exec(`UPDATE stores SET ein = '43-1234567' WHERE code = 'SCS'`)
	require.NoError(t, err)
	res = tb.Query(t, tb.Staff, issue, map[string]any{"in": map[string]any{"kind": "SETTLEMENT", "from": now.Add(-time.Hour), "to": now.Add(time.Hour)}})
	require.Empty(t, get(res.Data, "issueCertificates", "userErrors"))
	serials := get(res.Data, "issueCertificates", "serials").([]any)
	require.Len(t, serials, 2, "one certificate per seller of the settlement")
	require.EqualValues(t, 4, get(res.Data, "issueCertificates", "items"))
	year := now.UTC().Year()
	require.Equal(t, []any{fmt.Sprintf("SCS-%d-000001", year), fmt.Sprintf("SCS-%d-000002", year)}, serials)
	res = tb.Query(t, tb.Staff, issue, map[string]any{"in": map[string]any{"kind": "SETTLEMENT", "from": now.Add(-time.Hour), "to": now.Add(time.Hour)}})
	require.Empty(t, get(res.Data, "issueCertificates", "serials"), "issued once")
	res = tb.Query(t, tb.Admin, issue, map[string]any{"in": map[string]any{"kind": "SETTLEMENT"}})
	require.Empty(t, get(res.Data, "issueCertificates", "userErrors"), "no period: everything due")
	require.Empty(t, get(res.Data, "issueCertificates", "serials"))

	// Each seller sees its own; staff see their store's.
	list := func(token string) []any {
		t.Helper()
		res := tb.Query(t, token, `{ certificates { totalCount nodes { `+certificateFields+` } } }`, nil)
		require.Empty(t, res.Errors)
		return get(res.Data, "certificates", "nodes").([]any)
	}
	res = tb.Query(t, tb.SellerA, `{ certificates(filter: {status: NOT_FOUND}) { nodes { serial } } }`, nil)
	require.Equal(t, []string{"INVALID"}, res.Codes())
	mine := list(tb.SellerA)
	require.Len(t, mine, 1)
	require.Len(t, list(tb.SellerB), 1)
	require.Len(t, list(tb.Staff), 2)
	c := mine[0]
	require.Equal(t, "Zoë Müller 商店 Ελλάς", get(c, "donorName"))
	require.EqualValues(t, 3, get(c, "itemCount"))
	// 35.50 + 12.01 + 7.00 = 54.51; costs per item 2.50 + 10 % → 6.05 + 3.70 + 3.20 = 12.95.
	require.Equal(t, []any{"54.51", "12.95", "41.56"}, []any{get(c, "gross", "amount"), get(c, "costs", "amount"), get(c, "net", "amount")})

	// The PDF behind the signed link.
	resp, pdf := fetch(t, tb, get(c, "downloadUrl").(string))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(pdf))
	require.Equal(t, "application/pdf", resp.Header.Get("Content-Type"))
	require.LessOrEqual(t, len(pdf), 80<<10)
	require.EqualValues(t, len(pdf), get(c, "pdfBytes"))
	original := pdf
	text := pdfText(t, pdf)
	for _, s := range []string{get(c, "serial").(string), "Zoë Müller 商店 Ελλάς", "Straße des 17. Juni 135", "Ελληνικό κεραμικό βάζο", "日本製の茶碗",
		"한국 도자기 그릇", "Фонд «Надежда»", "Société d'Entraide", "S1-0", "S1-1", "54.51 USD", "12.95 USD", "41.56 USD",
		"No goods or services were provided in exchange for this contribution.", get(c, "verificationCode").(string)} {
		require.Contains(t, text, s)
	}
	require.NotContains(t, text, "Матрёшка", "seller B's item is on its own certificate")
	link := get(c, "downloadUrl").(string)
	resp, _ = fetch(t, tb, strings.Replace(link, "sig=", "sig=x", 1))
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "a tampered link")
	resp, _ = fetch(t, tb, strings.Replace(link, get(c, "serial").(string), serials[1].(string), 1))
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "a link to another certificate")
	expired := (&sc.LinkSigner{Key: apitest.Config().LinkSecret, Base: "https://x", TTL: -time.Minute, Now: time.Now}).Sign(sc.CertificatePDFPath(get(c, "serial").(string)))
	resp, _ = fetch(t, tb, expired)
	require.Equal(t, http.StatusGone, resp.StatusCode, "an expired link")

	// Verification, on the page and in the API.
	verify := func(serial, code string) (int, string) {
		t.Helper()
		resp, body := fetch(t, tb, sc.VerifyURL("https://x", serial, code))
		return resp.StatusCode, string(body)
	}
	status, page := verify(get(c, "serial").(string), get(c, "verificationCode").(string))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "VALID: this certificate is genuine.")
	require.Contains(t, page, "Zoë Müller 商店 Ελλάς")
	require.Contains(t, page, "41.56 USD")
	require.Contains(t, page, "Фонд «Надежда»")
	status, wrong := verify(get(c, "serial").(string), "22222222222A")
	require.Equal(t, http.StatusNotFound, status)
	require.Contains(t, wrong, "NOT FOUND")
	require.NotContains(t, wrong, "Zoë")
	_, unknown := verify("SCS-1999-000001", get(c, "verificationCode").(string))
	require.Equal(t, wrong, unknown, "a wrong code tells no more than an unknown serial")
	const verifyQuery = `query($s: String!, $c: String!) { verifyCertificate(serial: $s, code: $c) { status donorName net { amount } charities replacedBy } }`
	res = tb.Query(t, "", verifyQuery, map[string]any{"s": get(c, "serial"), "c": get(c, "verificationCode")})
	require.Empty(t, res.Errors)
	require.Equal(t, map[string]any{"status": "VALID", "donorName": "Zoë Müller 商店 Ελλάς", "net": map[string]any{"amount": "41.56"},
		"charities": []any{"Société d'Entraide", "Фонд «Надежда»"}, "replacedBy": nil}, get(res.Data, "verifyCertificate"))

	// Void and reissue.
	const void = `mutation($c: ID!, $r: String!) { voidCertificate(input: {certificate: $c, reason: $r}) {
		voided { serial status voidReason replacedBy { serial } } replacement { ` + certificateFields + ` } userErrors { field code } } }`
	res = tb.Query(t, tb.SellerA, void, map[string]any{"c": get(c, "id"), "r": "typo"})
	require.Equal(t, []string{"FORBIDDEN"}, res.Codes())
	res = tb.Query(t, tb.Staff, void, map[string]any{"c": get(c, "id"), "r": "  "})
	require.Equal(t, []any{"input", "reason"}, get(res.Data, "voidCertificate", "userErrors", 0, "field"))
	tb.Query(t, tb.SellerA, `mutation { setDonorDetails(input: {legalName: "Zoë Müller GmbH", addressLine1: "Straße des 17. Juni 135", city: "Berlin",
		region: "", postalCode: "10623", country: "DE"}) { ok } }`, nil)
	res = tb.Query(t, tb.Staff, void, map[string]any{"c": get(c, "id"), "r": "wrong legal name"})
	require.Empty(t, get(res.Data, "voidCertificate", "userErrors"))
	v := get(res.Data, "voidCertificate")
	newSerial := fmt.Sprintf("SCS-%d-000003", year)
	require.Equal(t, map[string]any{"serial": get(c, "serial"), "status": "VOID", "voidReason": "wrong legal name", "replacedBy": map[string]any{"serial": newSerial}},
		get(v, "voided"))
	r := get(v, "replacement")
	require.Equal(t, newSerial, get(r, "serial"))
	require.Equal(t, map[string]any{"serial": get(c, "serial")}, get(r, "replaces"))
	require.Equal(t, "Zoë Müller GmbH", get(r, "donorName"))
	require.Equal(t, get(c, "net"), get(r, "net"), "the same items, the same money")
	_, pdf = fetch(t, tb, get(r, "downloadUrl").(string))
	require.Contains(t, pdfText(t, pdf), "This certificate replaces "+get(c, "serial").(string)+", which is void.")
	res = tb.Query(t, tb.Staff, void, map[string]any{"c": get(c, "id"), "r": "again"})
	require.Equal(t, "ALREADY_VOID", get(res.Data, "voidCertificate", "userErrors", 0, "code"))
	status, page = verify(get(c, "serial").(string), get(c, "verificationCode").(string))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "VOID: this certificate was voided")
	require.Contains(t, page, newSerial)
	res = tb.Query(t, "", verifyQuery, map[string]any{"s": get(r, "serial"), "c": get(r, "verificationCode")})
	require.Equal(t, "VALID", get(res.Data, "verifyCertificate", "status"))
	// The voided one downloads stamped VOID, after its stored bytes, which are unchanged; the
	// database refuses edits (TestVoidCertificateDownload looks closer).
	_, again := fetch(t, tb, get(c, "downloadUrl").(string))
	require.True(t, bytes.HasPrefix(again, original), "the stored PDF is a prefix of the download")
	require.Contains(t, pdfText(t, again), "VOID: certificate "+get(c, "serial").(string))
	var stored []byte
	require.NoError(t, tb.DB.Get(&stored, `SELECT pdf FROM certificates WHERE serial = $1`, get(c, "serial")))
	require.Equal(t, original, stored)
	_, err = tb.DB.Exec(`UPDATE certificates SET net_cents = net_cents + 1 WHERE serial = $1`, get(c, "serial"))
	require.ErrorContains(t, err, "never edited")
	_, err = tb.DB.Exec(`DELETE FROM certificates WHERE serial = $1`, get(c, "serial"))
	require.Error(t, err)

	// The item links to the certificate in force.
	res = tb.Query(t, tb.SellerA, `query($i: ID!) { node(id: $i) { ... on ReturnedItem { certificate { serial status } } } }`, map[string]any{"i": aItems[0]})
	require.Equal(t, map[string]any{"serial": newSerial, "status": "VALID"}, get(res.Data, "node", "certificate"))
	res = tb.Query(t, tb.SellerB, `query($i: ID!) { node(id: $i) { ... on ReturnedItem { certificate { serial } } } }`, map[string]any{"i": bItems[0]})
	require.Equal(t, fmt.Sprintf("SCS-%d-000002", year), get(res.Data, "node", "certificate", "serial"), "seller B's own")

	// The item's timeline shows both certificates.
	res = tb.Query(t, tb.SellerA, `query($i: ID!) { node(id: $i) { ... on ReturnedItem { timeline { kind detail } } } }`, map[string]any{"i": aItems[0]})
	var steps []string
	for _, e := range get(res.Data, "node", "timeline").([]any) {
		if k := get(e, "kind").(string); strings.HasPrefix(k, "CERTIFI") {
			steps = append(steps, k+" "+get(e, "detail").(string))
		}
	}
	require.Equal(t, []string{"CERTIFIED " + get(c, "serial").(string), "CERTIFICATE_VOIDED " + get(c, "serial").(string) + ": wrong legal name",
		"CERTIFIED " + newSerial}, steps)

	// A year that is not over is refused: its summaries would miss the rest of the year, and
	// never be completed.
	tb.DB.Now = func() time.Time { return time.Date(year, 12, 31, 23, 0, 0, 0, time.UTC) }
	res = tb.Query(t, tb.Admin, issue, map[string]any{"in": map[string]any{"kind": "ANNUAL", "taxYear": year}})
	require.Equal(t, []any{"input", "taxYear"}, get(res.Data, "issueCertificates", "userErrors", 0, "field"))
	require.Equal(t, "INVALID", get(res.Data, "issueCertificates", "userErrors", 0, "code"))
	require.Empty(t, get(res.Data, "issueCertificates", "serials"))
	var annuals int
	require.NoError(t, tb.DB.Get(&annuals, `SELECT count(*) FROM certificates WHERE kind = 'ANNUAL'`))
	require.Zero(t, annuals)

	// Once it is over, it is the default year. The annual summary lists the year's items; a
	// second run issues nothing more.
	tb.DB.Now = func() time.Time { return time.Date(year+1, 1, 2, 0, 0, 0, 0, time.UTC) }
	res = tb.Query(t, tb.Admin, issue, map[string]any{"in": map[string]any{"kind": "ANNUAL"}})
	require.Empty(t, get(res.Data, "issueCertificates", "userErrors"))
	require.Len(t, get(res.Data, "issueCertificates", "serials"), 2)
	res = tb.Query(t, tb.Admin, issue, map[string]any{"in": map[string]any{"kind": "ANNUAL", "taxYear": year}})
	require.Empty(t, get(res.Data, "issueCertificates", "serials"))
	res = tb.Query(t, tb.Admin, issue, map[string]any{"in": map[string]any{"kind": "ANNUAL", "taxYear": year - 1}})
	require.Equal(t, "NOTHING_SETTLED", get(res.Data, "issueCertificates", "userErrors", 0, "code"))
	res = tb.Query(t, tb.SellerA, `{ certificates(filter: {kind: ANNUAL}) { nodes { `+certificateFields+` } } }`, nil)
	annual := get(res.Data, "certificates", "nodes", 0)
	require.Equal(t, "41.56", get(annual, "net", "amount"))
	_, pdf = fetch(t, tb, get(annual, "downloadUrl").(string))
	text = pdfText(t, pdf)
	require.Contains(t, text, fmt.Sprintf("Annual donation summary %d", year))
	require.Contains(t, text, "Zoë Müller GmbH")

	// Every stored PDF parses cleanly.
	var pdfs []struct {
		Serial string `db:"serial"`
		PDF    []byte `db:"pdf"`
	}
	require.NoError(t, tb.DB.Select(&pdfs, `SELECT serial, pdf FROM certificates ORDER BY id`))
	require.Len(t, pdfs, 5, "two, a replacement and two annual summaries")
	for _, p := range pdfs {
		require.NotEmpty(t, pdfPages(t, p.PDF), p.Serial)
		require.Contains(t, pdfText(t, p.PDF), p.Serial)
	}

	// Lists cost a fixed number of statements: authentication, the page (its stores joined), its sellers.
	before := tb.DB.Statements()
	res = tb.Query(t, tb.Admin, `{ certificates { nodes { serial seller { number } store { code } replaces { serial } } } }`, nil)
	require.Empty(t, res.Errors)
	require.Len(t, get(res.Data, "certificates", "nodes"), 5)
	require.EqualValues(t, 4, tb.DB.Statements()-before, "auth, the page with its stores, sellers, replaced certificates")
}

// TestCertificatesByTheJob: the River job issues the certificates of a settlement and has each
// emailed to its seller over SMTP at once, the PDF attached.
func TestCertificatesByTheJob(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	giveSellersEmail(t, tb)
	certificateStore(t, tb)
	items := sellItems(t, tb, tb.SellerA, "S1-0", []string{"Speaker", "Cable"}, []string{"10.00", "5.00"})
	// An API replica's insert-only client: the settlement's own transaction queues the job.
	inserter, err := jobs.NewClient(tb.DB.DB.DB, jobs.Config{})
	require.NoError(t, err)
	tb.DB.AfterSettle = jobs.IssueOnSettle(inserter)
	res := tb.Query(t, tb.Staff, `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { userErrors { code } } }`, map[string]any{"items": items[:1]})
	require.Empty(t, get(res.Data, "settleItems", "userErrors"))
	res = tb.Query(t, tb.Staff, `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { userErrors { code } } }`, map[string]any{"items": items})
	require.Equal(t, "ITEM_STATE", get(res.Data, "settleItems", "userErrors", 0, "code"), "the first is settled: nothing more is")
	var queued int
	require.NoError(t, tb.DB.Get(&queued, `SELECT count(*) FROM river_job WHERE kind = 'issue_certificates'`))
	require.Equal(t, 1, queued, "one job, from the settlement that committed")
	res = tb.Query(t, tb.Staff, `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { userErrors { code } } }`, map[string]any{"items": items[1:]})
	require.Empty(t, get(res.Data, "settleItems", "userErrors"))

	server := startSMTP(t)
	client := startWorkers(t, tb, server.URL(), time.Second)
	waitFor(t, "one certificate per settlement", func() bool {
		var n int
		return tb.DB.Get(&n, `SELECT count(*) FROM certificates`) == nil && n == 2
	})
	waitFor(t, "two certificate emails", func() bool { return len(server.Received()) == 2 })
	serial := fmt.Sprintf("SCS-%d-000001", time.Now().UTC().Year())
	var msg *netmail.Message
	subjects := map[string]bool{}
	for _, m := range server.Received() {
		require.Equal(t, []string{"acme@example.com"}, m.To)
		mm, err := netmail.ReadMessage(strings.NewReader(m.Data))
		require.NoError(t, err)
		subjects[mm.Header.Get("Subject")] = true
		if mm.Header.Get("Subject") == "Your donation certificate "+serial {
			msg = mm
		}
	}
	require.Len(t, subjects, 2, "two certificates, one email each")
	require.NotNil(t, msg, "the email of %s among %v", serial, subjects)
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var attached []byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "application/pdf") {
			raw, err := io.ReadAll(p)
			require.NoError(t, err)
			attached, err = decodeBase64Lines(raw)
			require.NoError(t, err)
		}
	}
	require.NotEmpty(t, attached, "a PDF attachment")
	require.Contains(t, pdfText(t, attached), serial)
	var stored []byte
	require.NoError(t, tb.DB.Get(&stored, `SELECT pdf FROM certificates WHERE serial = $1`, serial))
	require.Equal(t, stored, attached, "the attachment is the stored certificate")

	// Run again, the jobs issue and send nothing twice.
	issue, err := client.Insert(context.Background(), jobs.IssueCertificatesArgs{}, nil)
	require.NoError(t, err)
	send, err := client.Insert(context.Background(), jobs.SendCertificatesArgs{}, nil)
	require.NoError(t, err)
	apitest.WaitForJob(t, tb.DB, issue.Job.ID)
	apitest.WaitForJob(t, tb.DB, send.Job.ID)
	var n int
	require.NoError(t, tb.DB.Get(&n, `SELECT count(*) FROM certificates`))
	require.Equal(t, 2, n)
	require.Len(t, server.Received(), 2)
}

// issuedCertificate sells and settles one item of seller A and issues its certificate, and
// returns the certificate's serial and verification code.
func issuedCertificate(t *testing.T, tb *testBundle) (serial, code string) {
	t.Helper()
	certificateStore(t, tb)
	items := sellItems(t, tb, tb.SellerA, "S1-0", []string{"Speaker"}, []string{"10.00"})
	tb.Query(t, tb.Staff, `mutation($items: [ID!]!) { settleItems(input: {items: $items}) { userErrors { code } } }`, map[string]any{"items": items})
	res, err := tb.DB.IssueCertificates(sc.NewSystemContext(context.Background()), sc.IssueRequest{Kind: sc.CertificateSettlement,
		From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)}, nil)
	require.NoError(t, err)
	serial = res.Serials[0]
	require.NoError(t, tb.DB.Get(&code, `SELECT verification_code FROM certificates WHERE serial = $1`, serial))
	return serial, code
}

// TestVerificationRateLimit: after VerifyFailureLimit wrong codes a client is refused, on the
// page and in the API, even with the right code.
func TestVerificationRateLimit(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	serial, code := issuedCertificate(t, tb)
	for i := range sc.VerifyFailureLimit {
		resp, _ := fetch(t, tb, sc.VerifyURL("https://x", serial, fmt.Sprintf("GUESS%07d", i)))
		require.Equal(t, http.StatusNotFound, resp.StatusCode)
	}
	resp, body := fetch(t, tb, sc.VerifyURL("https://x", serial, code))
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Contains(t, string(body), "Too many failed checks")
	r := tb.Query(t, "", `query($s: String!, $c: String!) { verifyCertificate(serial: $s, code: $c) { status } }`, map[string]any{"s": serial, "c": code})
	require.Equal(t, []string{"RATE_LIMITED"}, r.Codes())

	// Once the window has passed, the failures no longer count and the daily clean-up drops them.
	tb.DB.Now = func() time.Time { return time.Now().Add(sc.VerifyFailureWindow + time.Minute) }
	resp, body = fetch(t, tb, sc.VerifyURL("https://x", serial, code))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "VALID")
	require.NoError(t, tb.DB.PruneVerificationFailures(context.Background()))
	var left int
	require.NoError(t, tb.DB.Get(&left, `SELECT count(*) FROM verification_failures`))
	require.Zero(t, left)
}

// TestReturnLabelPDF: a seller's RMA has a signed link to its printable label and slip.
func TestReturnLabelPDF(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	in := rmaInput("S1-0")
	in["items"].([]any)[0].(map[string]any)["description"] = "Колонка Bluetooth 音箱"
	res := tb.Query(t, tb.SellerA, `mutation($input: CreateReturnAuthorizationInput!) { createReturnAuthorization(input: $input) {
		returnAuthorization { code labelUrl } } }`, map[string]any{"input": in})
	code := get(res.Data, "createReturnAuthorization", "returnAuthorization", "code").(string)
	resp, pdf := fetch(t, tb, get(res.Data, "createReturnAuthorization", "returnAuthorization", "labelUrl").(string))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(pdf))
	require.Equal(t, "application/pdf", resp.Header.Get("Content-Type"))
	text := pdfText(t, pdf)
	for _, s := range []string{"RETURN TO", code, "11415 E. 23rd Street", "Independence, MO 64052", "Колонка Bluetooth 音箱", "USB cable", "Packing slip", "Order S1-0"} {
		require.Contains(t, text, s)
	}
	resp, _ = fetch(t, tb, "https://x"+sc.ReturnLabelPDFPath(code)+"?expires=99999999999&sig=forged")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// TestVerificationRateLimitCountsEveryGuess: the limit holds per guess, not per request. Fifty
// aliases in one request, or fifty requests at once, get no more than VerifyFailureLimit codes
// compared; every other guess is RATE_LIMITED, the right code among them.
func TestVerificationRateLimitCountsEveryGuess(t *testing.T) {
	t.Parallel()
	const guesses = 50
	issued := func(t *testing.T) (*testBundle, string, string) {
		tb := setup(t)
		serial, code := issuedCertificate(t, tb)
		return tb, serial, code
	}
	failures := func(t *testing.T, tb *testBundle) int {
		var n int
		require.NoError(t, tb.DB.Get(&n, `SELECT coalesce(sum(failures), 0) FROM verification_failures`))
		return n
	}

	t.Run("AliasesInOneRequest", func(t *testing.T) {
		t.Parallel()
		tb, serial, code := issued(t)
		var q strings.Builder
		q.WriteString("query {")
		for i := range guesses {
			guess := fmt.Sprintf("GUESS%07d", i)
			if i == guesses-1 {
				guess = code // the attacker's 50th guess is the right one
			}
			fmt.Fprintf(&q, " g%d: verifyCertificate(serial: %q, code: %q) { status }", i, serial, guess)
		}
		q.WriteString(" }")
		res := tb.Query(t, "", q.String(), nil)
		limited := 0
		for _, c := range res.Codes() {
			require.Equal(t, "RATE_LIMITED", c)
			limited++
		}
		// Aliases run concurrently, and a right code gives its slot back: when it is compared
		// before the limit is reached, one more wrong guess gets that slot. Either way no more
		// than the limit of wrong codes is ever compared.
		require.GreaterOrEqual(t, limited, guesses-sc.VerifyFailureLimit-1, "all but the limit are refused before any comparison")
		require.LessOrEqual(t, limited, guesses-sc.VerifyFailureLimit)
		// The guesses compared are the wrong ones counted plus, if it was among them, the right one.
		require.GreaterOrEqual(t, failures(t, tb), sc.VerifyFailureLimit-1)
		require.LessOrEqual(t, failures(t, tb), sc.VerifyFailureLimit)
	})

	t.Run("ConcurrentRequests", func(t *testing.T) {
		t.Parallel()
		tb, serial, _ := issued(t)
		results := make(chan apitest.Response, guesses)
		start := make(chan struct{})
		for i := range guesses {
			go func() {
				<-start
				results <- tb.Query(t, "", `query($s: String!, $c: String!) { verifyCertificate(serial: $s, code: $c) { status } }`,
					map[string]any{"s": serial, "c": fmt.Sprintf("GUESS%07d", i)})
			}()
		}
		close(start)
		compared, limited := 0, 0
		for range guesses {
			r := <-results
			switch {
			case len(r.Errors) == 0:
				require.Equal(t, "NOT_FOUND", get(r.Data, "verifyCertificate", "status"))
				compared++
			default:
				require.Equal(t, []string{"RATE_LIMITED"}, r.Codes())
				limited++
			}
		}
		require.Equal(t, sc.VerifyFailureLimit, compared, "exactly the limit is compared, never more")
		require.Equal(t, guesses-sc.VerifyFailureLimit, limited)
		require.Equal(t, sc.VerifyFailureLimit, failures(t, tb))
	})
}
