package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// overlay returns the document dst with an incremental update appended (ISO 32000-1, 7.5.6)
// that draws the first page of stamp over every one of its pages. dst's bytes are a
// byte-for-byte prefix of the result: a reader shown the update sees the stamp; the bytes
// before it are the document as it was, which is how PDF itself amends a document without
// changing it.
//
// The stamp page becomes one form XObject with its own resources, so its fonts cannot clash
// with the page's; each page gets a new version whose contents are [q, the old contents, Q and
// the form], the form fitted to the page's crop box, and whose resources name the form.
func overlay(dst *pdfFile, stamp []byte) ([]byte, error) {
	src, err := readPDF(stamp)
	if err != nil {
		return nil, fmt.Errorf("reading the stamp: %w", err)
	}
	stampPages, err := src.pages()
	if err != nil {
		return nil, fmt.Errorf("reading the stamp: %w", err)
	}
	pages, err := dst.pages()
	if err != nil {
		return nil, fmt.Errorf("reading the PDF: %w", err)
	}
	if len(stampPages) == 0 || len(pages) == 0 {
		return nil, errors.New("stamping a PDF: no pages")
	}
	u, err := newUpdate(dst)
	if err != nil {
		return nil, err
	}
	form, bbox, err := u.stampForm(src, stampPages[0])
	if err != nil {
		return nil, fmt.Errorf("reading the stamp: %w", err)
	}

	open := u.add(&pdfStream{dict: &pdfDict{}, data: []byte("q\n")})
	closes := map[string]pdfRef{}    // by what they draw: pages of one size share one
	resources := map[pdfRef]pdfRef{} // pages sharing resources share the new ones
	for _, p := range pages {
		res, err := dst.dict(p.resources)
		if err != nil {
			return nil, fmt.Errorf("page %d's resources: %w", p.ref.num, err)
		}
		if res == nil {
			res = &pdfDict{}
		}
		xobjects, err := dst.dict(res.get("XObject"))
		if err != nil {
			return nil, fmt.Errorf("page %d's XObjects: %w", p.ref.num, err)
		}
		name := pdfName("VoidStamp")
		for i := 1; xobjects != nil && xobjects.get(name) != nil; i++ {
			name = pdfName("VoidStamp" + strconv.Itoa(i))
		}

		shared, isRef := p.resources.(pdfRef)
		resRef, done := resources[shared]
		if !isRef || !done {
			merged := res.clone()
			xs := &pdfDict{}
			if xobjects != nil {
				xs = xobjects.clone()
			}
			xs.set(name, form)
			merged.set("XObject", xs)
			resRef = u.add(merged)
			if isRef {
				resources[shared] = resRef
			}
		}

		draw := "Q\nq " + fitMatrix(bbox, p.box) + " cm /" + string(name) + " Do Q\n"
		closeRef, ok := closes[draw]
		if !ok {
			closeRef = u.add(&pdfStream{dict: &pdfDict{}, data: []byte(draw)})
			closes[draw] = closeRef
		}

		contents := pdfArray{open}
		old, err := dst.resolve(p.dict.get("Contents"))
		if err != nil {
			return nil, fmt.Errorf("page %d's contents: %w", p.ref.num, err)
		}
		switch old := old.(type) {
		case pdfArray:
			contents = append(contents, old...) // streams, by reference
		case *pdfStream:
			contents = append(contents, p.dict.get("Contents"))
		case nil:
		default:
			if old != pdfRaw("null") {
				return nil, fmt.Errorf("page %d's contents are a %T", p.ref.num, old)
			}
		}
		page := p.dict.clone()
		page.set("Contents", append(contents, closeRef))
		page.set("Resources", resRef)
		u.put(p.ref, page)
	}
	return u.finish(dst), nil
}

// stampForm copies the stamp page's contents and resources into the update as a form XObject
// and returns it and its bounding box.
func (u *pdfUpdate) stampForm(src *pdfFile, p page) (pdfRef, [4]float64, error) {
	content, err := src.resolve(p.dict.get("Contents"))
	if err != nil {
		return pdfRef{}, [4]float64{}, err
	}
	s, ok := content.(*pdfStream)
	if !ok {
		return pdfRef{}, [4]float64{}, fmt.Errorf("the stamp's contents are a %T, not one stream", content)
	}
	copied := map[pdfRef]pdfRef{}
	res, err := u.copy(src, p.resources, copied, 0)
	if err != nil {
		return pdfRef{}, [4]float64{}, err
	}
	if res == nil {
		res = &pdfDict{}
	}
	d := &pdfDict{}
	d.set("Type", pdfName("XObject"))
	d.set("Subtype", pdfName("Form"))
	d.set("BBox", pdfArray{formatNumber(p.box[0]), formatNumber(p.box[1]), formatNumber(p.box[2]), formatNumber(p.box[3])})
	d.set("Resources", res)
	for _, k := range []pdfName{"Filter", "DecodeParms"} {
		if v := s.dict.get(k); v != nil {
			v, err := u.copy(src, v, copied, 0)
			if err != nil {
				return pdfRef{}, [4]float64{}, err
			}
			d.set(k, v)
		}
	}
	return u.add(&pdfStream{dict: d, data: s.data}), p.box, nil
}

// fitMatrix maps box from onto box to: scaled alike in both directions to fit, and centred.
func fitMatrix(from, to [4]float64) string {
	fw, fh := from[2]-from[0], from[3]-from[1]
	tw, th := to[2]-to[0], to[3]-to[1]
	s := min(tw/fw, th/fh)
	e := to[0] + (tw-s*fw)/2 - s*from[0]
	f := to[1] + (th-s*fh)/2 - s*from[1]
	var b bytes.Buffer
	for i, v := range []float64{s, 0, 0, s, e, f} {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(formatNumber(v)))
	}
	return b.String()
}

func formatNumber(v float64) pdfRaw {
	s := strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(v, 'f', 4, 64), "0"), ".")
	if s == "-0" || s == "" {
		s = "0"
	}
	return pdfRaw(s)
}

// page is a leaf of the page tree with the attributes it inherits.
type page struct {
	ref       pdfRef
	dict      *pdfDict
	resources pdfObject // a dictionary or a reference to one; nil when none
	box       [4]float64
}

// pages walks the page tree in order, passing down inherited resources and boxes (7.7.3.4).
func (f *pdfFile) pages() ([]page, error) {
	root, err := f.dict(f.trailer.get("Root"))
	if err != nil {
		return nil, fmt.Errorf("the document catalog: %w", err)
	}
	if root == nil {
		return nil, errors.New("the PDF has no document catalog")
	}
	tree, ok := root.get("Pages").(pdfRef)
	if !ok {
		return nil, errors.New("the catalog has no page tree")
	}
	var out []page
	seen := map[pdfRef]bool{}
	var walk func(ref pdfRef, res, media, crop pdfObject, depth int) error
	walk = func(ref pdfRef, res, media, crop pdfObject, depth int) error {
		if seen[ref] || depth > maxDepth {
			return errors.New("the page tree has a loop")
		}
		seen[ref] = true
		n, err := f.dict(ref)
		if err != nil {
			return err
		}
		if n == nil {
			return fmt.Errorf("page tree node %d is missing", ref.num)
		}
		if v := n.get("Resources"); v != nil {
			res = v
		}
		if v := n.get("MediaBox"); v != nil {
			media = v
		}
		if v := n.get("CropBox"); v != nil {
			crop = v
		}
		kids := n.get("Kids")
		if typ := n.get("Type"); typ == pdfName("Page") || typ == nil && kids == nil {
			box, err := f.rectangle(crop)
			if crop == nil || err != nil {
				if box, err = f.rectangle(media); err != nil {
					return fmt.Errorf("page %d's media box: %w", ref.num, err)
				}
			}
			out = append(out, page{ref: ref, dict: n, resources: res, box: box})
			return nil
		}
		kids, err = f.resolve(kids)
		if err != nil {
			return err
		}
		a, ok := kids.(pdfArray)
		if !ok && kids != nil {
			return fmt.Errorf("page tree node %d's kids are not an array", ref.num)
		}
		for _, k := range a {
			kr, ok := k.(pdfRef)
			if !ok {
				return fmt.Errorf("page tree node %d has a kid that is not a reference", ref.num)
			}
			if err := walk(kr, res, media, crop, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(tree, nil, nil, nil, 0)
}

// rectangle reads a rectangle [llx lly urx ury], normalised.
func (f *pdfFile) rectangle(o pdfObject) ([4]float64, error) {
	var r [4]float64
	o, err := f.resolve(o)
	if err != nil {
		return r, err
	}
	a, ok := o.(pdfArray)
	if !ok || len(a) != 4 {
		return r, errors.New("not a rectangle")
	}
	for i, v := range a {
		v, err := f.resolve(v)
		if err != nil {
			return r, err
		}
		if r[i], ok = number(v); !ok {
			return r, errors.New("not a rectangle")
		}
	}
	r = [4]float64{min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])}
	if r[2]-r[0] <= 0 || r[3]-r[1] <= 0 {
		return r, errors.New("an empty rectangle")
	}
	return r, nil
}

// pdfUpdate is an incremental update being written after a document's bytes.
type pdfUpdate struct {
	out     bytes.Buffer
	offsets map[int]int64 // new objects and new versions, by number
	gens    map[int]int
	next    int // the next unused object number
}

func newUpdate(f *pdfFile) (*pdfUpdate, error) {
	size, ok := number(f.trailer.get("Size"))
	if !ok || size < 1 {
		return nil, errors.New("the PDF trailer has no /Size")
	}
	u := &pdfUpdate{offsets: map[int]int64{}, gens: map[int]int{}, next: int(size)}
	for n := range f.xref { // a /Size too small would reuse numbers
		u.next = max(u.next, n+1)
	}
	u.out.Grow(len(f.b) + 64<<10)
	u.out.Write(f.b)
	if len(f.b) > 0 && f.b[len(f.b)-1] != '\n' && f.b[len(f.b)-1] != '\r' {
		u.out.WriteByte('\n')
	}
	return u, nil
}

// add writes o as a new object.
func (u *pdfUpdate) add(o pdfObject) pdfRef {
	ref := pdfRef{u.next, 0}
	u.next++
	u.put(ref, o)
	return ref
}

// put writes o as object ref: a new one, or a new version of an old one.
func (u *pdfUpdate) put(ref pdfRef, o pdfObject) {
	u.offsets[ref.num] = int64(u.out.Len())
	u.gens[ref.num] = ref.gen
	fmt.Fprintf(&u.out, "%d %d obj\n", ref.num, ref.gen)
	writeObject(&u.out, o)
	u.out.WriteString("\nendobj\n")
}

// copy copies o from src into the update with every object it refers to, renumbered; copied
// maps src's references to the update's.
func (u *pdfUpdate) copy(src *pdfFile, o pdfObject, copied map[pdfRef]pdfRef, depth int) (pdfObject, error) {
	if depth > maxDepth {
		return nil, errors.New("objects nested too deeply to copy")
	}
	switch o := o.(type) {
	case pdfRef:
		if r, ok := copied[o]; ok {
			return r, nil
		}
		r := pdfRef{u.next, 0}
		u.next++
		copied[o] = r
		obj, err := src.object(o)
		if err != nil {
			return nil, err
		}
		c, err := u.copy(src, obj, copied, depth+1)
		if err != nil {
			return nil, err
		}
		u.put(r, c)
		return r, nil
	case pdfArray:
		a := make(pdfArray, len(o))
		for i, e := range o {
			c, err := u.copy(src, e, copied, depth+1)
			if err != nil {
				return nil, err
			}
			a[i] = c
		}
		return a, nil
	case *pdfDict:
		d := &pdfDict{entries: make([]pdfEntry, len(o.entries))}
		for i, e := range o.entries {
			c, err := u.copy(src, e.val, copied, depth+1)
			if err != nil {
				return nil, err
			}
			d.entries[i] = pdfEntry{e.key, c}
		}
		return d, nil
	case *pdfStream:
		d := o.dict.clone()
		d.del("Length") // written anew, direct
		c, err := u.copy(src, d, copied, depth+1)
		if err != nil {
			return nil, err
		}
		return &pdfStream{dict: c.(*pdfDict), data: o.data}, nil
	}
	return o, nil
}

// finish writes the update's cross-reference section and trailer and returns the document.
func (u *pdfUpdate) finish(f *pdfFile) []byte {
	nums := make([]int, 0, len(u.offsets))
	for n := range u.offsets {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	xref := int64(u.out.Len())
	u.out.WriteString("xref\n")
	for i := 0; i < len(nums); {
		j := i + 1
		for j < len(nums) && nums[j] == nums[j-1]+1 {
			j++
		}
		fmt.Fprintf(&u.out, "%d %d\n", nums[i], j-i)
		for _, n := range nums[i:j] {
			fmt.Fprintf(&u.out, "%010d %05d n \n", u.offsets[n], u.gens[n])
		}
		i = j
	}
	t := &pdfDict{}
	t.set("Size", pdfRaw(strconv.Itoa(u.next)))
	for _, k := range []pdfName{"Root", "Info", "ID"} {
		if v := f.trailer.get(k); v != nil {
			t.set(k, v)
		}
	}
	t.set("Prev", pdfRaw(strconv.FormatInt(f.startxref, 10)))
	u.out.WriteString("trailer\n")
	writeObject(&u.out, t)
	fmt.Fprintf(&u.out, "\nstartxref\n%d\n%%%%EOF\n", xref)
	return u.out.Bytes()
}
