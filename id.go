package secondchance

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Node kinds: the type names that global IDs carry.
const (
	KindSeller  = "Seller"
	KindBuyer   = "Buyer"
	KindOrder   = "Order"
	KindToken   = "Token"
	KindStore   = "Store"
	KindReport  = "Report"
	KindBatch   = "Batch"
	KindVerdict = "Verdict"
	KindRMA     = "ReturnAuthorization"
)

// GlobalID is the opaque Relay ID of a row: its kind and database ID, base64url encoded, so a
// client can refetch any object with node(id:) and never builds IDs itself.
func GlobalID(kind string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(id, 10)))
}

// ParseGlobalID decodes a GlobalID; a malformed one is INVALID on field "id".
func ParseGlobalID(s string) (kind string, id int64, err error) {
	bad := FieldErrorf("id", EINVALID, "%q is not a valid ID; use an id returned by this API", s)
	raw, derr := base64.RawURLEncoding.DecodeString(s)
	if derr != nil {
		return "", 0, bad
	}
	kind, num, ok := strings.Cut(string(raw), ":")
	if !ok || kind == "" {
		return "", 0, bad
	}
	// Only the canonical form GlobalID writes: "+1", "01" or " 1" name the same row under
	// another ID, which would defeat comparing IDs as strings.
	id, perr := strconv.ParseInt(num, 10, 64)
	if perr != nil || id <= 0 || strconv.FormatInt(id, 10) != num || GlobalID(kind, id) != s {
		return "", 0, bad
	}
	return kind, id, nil
}

// ParseGlobalIDOf decodes a GlobalID that must be of kind.
func ParseGlobalIDOf(s, kind, field string) (int64, error) {
	k, id, err := ParseGlobalID(s)
	if err == nil && k != kind {
		err = FieldErrorf(field, EINVALID, "%q is the ID of a %s, not of a %s", s, k, kind)
	}
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Field = field
		}
		return 0, err
	}
	return id, nil
}

// KindParcel is the kind of a received parcel's global ID.
const KindParcel = "Parcel"

// Kinds of the store's records.
const (
	KindItem        = "ReturnedItem"
	KindSale        = "Sale"
	KindBeneficiary = "Beneficiary"
	KindCertificate = "Certificate"
)
