package portal_test

import (
	"bytes"
	"image/color"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

type upload struct {
	name string
	data []byte
}

// upload sends the last page's photo form as a browser does (multipart), with files.
func (c *client) upload(t testing.TB, files ...upload) response {
	t.Helper()
	action, values := c.form(t, "/photos")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range values {
		for _, v := range vs {
			require.NoError(t, mw.WriteField(k, v))
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("photos", f.name)
		require.NoError(t, err)
		_, err = w.Write(f.data)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, c.tb.url+action, &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(t, req)
}

var photoRE = regexp.MustCompile(`<img src="(/portal/photos/\d+)"`)

func photoCount(t testing.TB, tb *testBundle) int {
	t.Helper()
	var n int
	require.NoError(t, tb.d.Get(&n, `SELECT count(*) FROM item_photos`))
	return n
}

func TestPhotoUploadAtIntake(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	c := tb.account(t, "SCS", "pho@example.org", sc.StaffMember)
	ids := c.receive(t, tb.returnTo(t))
	parcel := regexp.MustCompile(`/portal/parcels/\d+`).FindString(c.last.url)
	item := "/portal/items/" + ids[0]
	c.get(t, item)
	require.Contains(t, c.last.body, "No photos yet.")
	require.Contains(t, c.last.body, `enctype="multipart/form-data"`)

	pngData, jpg := dbtest.Image(t, false, color.RGBA{200, 30, 30, 255}), dbtest.Image(t, true, color.RGBA{30, 30, 200, 255})
	res := c.upload(t, upload{"lamp.png", pngData}, upload{"IMG_0001.HEIC", jpg}) // the name says nothing
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "Added 2 photo(s).")
	srcs := photoRE.FindAllStringSubmatch(res.body, -1)
	require.Len(t, srcs, 2)

	photo, err := http.NewRequest(http.MethodGet, tb.url+srcs[1][1], nil)
	require.NoError(t, err)
	got := c.do(t, photo)
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, string(jpg), got.body)
	r, err := c.http.Get(tb.url + srcs[1][1])
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, "image/jpeg", r.Header.Get("Content-Type"), "sniffed from the bytes")
	require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))
	require.Contains(t, r.Header.Get("Cache-Control"), "private")
	require.Contains(t, r.Header.Get("Content-Security-Policy"), "img-src 'self'")
	etag := r.Header.Get("ETag")
	require.NotEmpty(t, etag)
	again, err := http.NewRequest(http.MethodGet, tb.url+srcs[1][1], nil)
	require.NoError(t, err)
	again.Header.Set("If-None-Match", etag)
	r, err = c.http.Do(again)
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, http.StatusNotModified, r.StatusCode, "the browser keeps it")

	// The parcel's page shows them beside their item.
	res = c.get(t, parcel)
	require.Len(t, photoRE.FindAllString(res.body, -1), 2)

	big := make([]byte, sc.MaxPhotoBytes+10)
	copy(big, jpg)
	for _, bad := range []struct {
		name  string
		files []upload
	}{
		{"ErrNotAnImage", []upload{{"photo.jpg", []byte("%PDF-1.7 a scan, named .jpg")}}},
		{"ErrTooLarge", []upload{{"huge.jpg", big}}},
		{"ErrTooMany", func() []upload {
			var fs []upload
			for i := range sc.MaxItemPhotos - 1 {
				fs = append(fs, upload{"p.png", dbtest.Image(t, false, color.RGBA{uint8(i), 1, 1, 255})})
			}
			return fs
		}()},
		{"ErrNoFile", nil},
		{"ErrOneBadOfTwo", []upload{{"ok.png", dbtest.Image(t, false, color.RGBA{5, 5, 5, 255})}, {"notes.txt", []byte("hello")}}},
	} {
		t.Run(bad.name, func(t *testing.T) {
			c.get(t, item)
			res := c.upload(t, bad.files...)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			require.Contains(t, res.body, `id="f-photos-error"`, "the message is beside the file input")
			require.Contains(t, res.body, `aria-invalid="true"`)
			require.Equal(t, 2, photoCount(t, tb), "nothing was added")
		})
	}

	// Another store's staff get a 404 for the photo, the upload and the removal.
	dbtest.Store(t, tb.d, &dbtest.StoreOpts{Code: ptr("KC4")})
	other := tb.account(t, "KC4", "kc4@example.org", sc.StaffMember)
	res = other.get(t, srcs[0][1])
	require.Equal(t, http.StatusNotFound, res.status)
	require.Equal(t, sc.ENOTFOUND, messageCode(res.body))
	other.get(t, "/portal/items")
	_, form := other.form(t, "/logout")
	form.Set("once", "k-delete")
	res = other.post(t, srcs[0][1]+"/delete", form)
	require.Equal(t, http.StatusNotFound, res.status)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields := url.Values{"csrf": form["csrf"], "once": {"k-upload"}}
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v[0]))
	}
	fw, err := mw.CreateFormFile("photos", "x.png")
	require.NoError(t, err)
	fw.Write(pngData)
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, tb.url+item+"/photos", &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res = other.do(t, req)
	require.Equal(t, http.StatusNotFound, res.status)
	require.Equal(t, 2, photoCount(t, tb))

	// Removing one: it is gone from the page and from the URL.
	c.get(t, item)
	res = c.submit(t, srcs[0][1]+"/delete", nil)
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "The photo was removed.")
	require.Len(t, photoRE.FindAllString(res.body, -1), 1)
	require.Equal(t, http.StatusNotFound, c.get(t, srcs[0][1]).status)
	require.True(t, strings.HasSuffix(res.url, item+"#photos-h"), res.url)
}

// Only a logged-in session's photo upload may be large: anyone else's multipart body is held
// to the ordinary form's bound and refused before anything reads its files.
func TestPhotoUploadTooLargeWithoutLogin(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	for _, path := range []string{"/portal/items/1/photos", "/portal/login"} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, err := mw.CreateFormFile("photos", "big.jpg")
		require.NoError(t, err)
		fw.Write(append([]byte("\xff\xd8\xff"), make([]byte, 2<<20)...))
		require.NoError(t, mw.Close())
		req, err := http.NewRequest(http.MethodPost, tb.url+path, &body)
		require.NoError(t, err)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res := tb.client(t).do(t, req)
		require.Equal(t, http.StatusBadRequest, res.status, path)
	}
}
