package resolvers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// CodeBadRequest is the extensions.code of a request that is not a GraphQL request at all: a
// body that is not a JSON object, the wrong content type or method, a mutation sent by GET.
const CodeBadRequest = "BAD_REQUEST"

// MaxJSONDepth bounds how deeply a request body's JSON nests (variables included). No input
// of the schema nests deeper than a few levels.
const MaxJSONDepth = 32

// The transports below stand in front of gqlgen's own so that every request gqlgen's would
// answer without a code (or with the body echoed into an error that is logged as internal)
// gets a client error with a code and a 4xx status.

// postJSON accepts every POST: one that is not application/json is answered 415, a body that
// does not decode into a GraphQL request 400; the rest goes to gqlgen's POST transport, whose
// own decoding then cannot fail.
type postJSON struct{ transport.POST }

func (postJSON) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("Upgrade") == ""
}

func (t postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeBadRequest(w, http.StatusUnsupportedMediaType, "send the request as Content-Type: application/json, a JSON object {\"query\": …, \"variables\": …}")
		return
	}
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeBadRequest(w, http.StatusBadRequest, "could not read the request body")
		return
	}
	params, err := decodeRequestBody(body)
	if err != nil {
		// The body is the client's and may hold anything, a token or personal data: its size
		// is logged, never its content.
		slog.InfoContext(r.Context(), "undecodable GraphQL request", "bytes", len(body), "reason", err.Error())
		writeBadRequest(w, http.StatusBadRequest, err.Error())
		return
	}
	if !wantsJSON(r) {
		// application/graphql-response+json, with its own status codes: gqlgen's transport.
		r.Body = io.NopCloser(bytes.NewReader(body))
		t.POST.Do(w, r, exec)
		return
	}
	// What gqlgen's POST transport does for application/json, on the body decoded once, with
	// the response written by writeResponse.
	w.Header().Set("Content-Type", "application/json")
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	ctx := r.Context()
	opCtx, gqlErr := exec.CreateOperationContext(ctx, params)
	if gqlErr != nil {
		if errcode.GetErrorKind(gqlErr) == errcode.KindProtocol {
			w.WriteHeader(http.StatusUnprocessableEntity)
		}
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), gqlErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeResponse(w, responses(ctx))
}

// wantsJSON says whether the client takes application/json, by gqlgen's reading of Accept:
// no Accept, */*, application/* or application/json before application/graphql-response+json.
func wantsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return true
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*", "application/json":
			return true
		case "application/graphql-response+json":
			return false
		}
	}
	return false
}

// decodeRequestBody decodes body as gqlgen's POST transport does and says, without quoting it,
// why it is not a GraphQL request.
func decodeRequestBody(body []byte) (*graphql.RawParams, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, errors.New("the request body is empty; send a JSON object {\"query\": …}")
	}
	if trimmed[0] != '{' {
		return nil, errors.New("the request body must be a JSON object {\"query\": …}, not an array or a scalar")
	}
	if d := jsonDepth(trimmed); d > MaxJSONDepth {
		return nil, fmt.Errorf("the request body nests more than %d levels deep", MaxJSONDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var p graphql.RawParams
	err := dec.Decode(&p)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, errors.New("the request body is cut short: its JSON ends before it is complete")
	case errors.As(err, &syntax):
		return nil, fmt.Errorf("the request body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		return nil, fmt.Errorf("%q must be a JSON %s, not %s", typ.Field, jsonKind(typ.Type.String()), typ.Value)
	default:
		return nil, errors.New("the request body is not a GraphQL request")
	}
	if dec.InputOffset() != int64(len(trimmed)) {
		return nil, errors.New("the request body holds more than one JSON value")
	}
	return &p, nil
}

// jsonKind names the JSON a Go type of graphql.RawParams is decoded from.
func jsonKind(goType string) string {
	switch {
	case goType == "string":
		return "string"
	case strings.HasPrefix(goType, "map["):
		return "object"
	}
	return "value of another type"
}

// jsonDepth is how deeply the arrays and objects of a JSON text nest (strings skipped), counted
// without decoding: the decoder itself would recurse that deep.
func jsonDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// getQuery is gqlgen's GET transport with a code on every error: a query string, variables or
// extensions that do not decode are BAD_REQUEST (400), and so is a mutation (405: GET must not
// change anything, and a link or an <img> must not be able to make it).
type getQuery struct{}

func (getQuery) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

func (getQuery) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Set("Content-Type", "application/json")
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeBadRequest(w, http.StatusBadRequest, "the URL's query string does not decode")
		return
	}
	raw := &graphql.RawParams{Query: query.Get("query"), OperationName: query.Get("operationName"), Headers: r.Header}
	raw.ReadTime.Start = graphql.Now()
	for _, p := range []struct {
		name string
		into *map[string]any
	}{{"variables", &raw.Variables}, {"extensions", &raw.Extensions}} {
		if v := query.Get(p.name); v != "" {
			dec := json.NewDecoder(strings.NewReader(v))
			dec.UseNumber()
			if jsonDepth([]byte(v)) > MaxJSONDepth || dec.Decode(p.into) != nil {
				writeBadRequest(w, http.StatusBadRequest, p.name+" must be a JSON object")
				return
			}
		}
	}
	raw.ReadTime.End = graphql.Now()

	opCtx, gqlErr := exec.CreateOperationContext(r.Context(), raw)
	if gqlErr != nil {
		status := http.StatusOK
		if errcode.GetErrorKind(gqlErr) == errcode.KindProtocol {
			status = http.StatusUnprocessableEntity // as gqlgen's transports answer parse failures
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(r.Context(), opCtx), gqlErr))
		return
	}
	if opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		writeBadRequest(w, http.StatusMethodNotAllowed, "a "+string(opCtx.Operation.Operation)+" must be sent with POST")
		return
	}
	responses, ctx := exec.DispatchOperation(r.Context(), opCtx)
	writeResponse(w, responses(ctx))
}

// otherMethod answers every request the transports before it do not take.
type otherMethod struct{}

func (otherMethod) Supports(*http.Request) bool { return true }

func (otherMethod) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	w.Header().Set("Allow", "GET, POST, OPTIONS")
	writeBadRequest(w, http.StatusMethodNotAllowed, "send GraphQL requests with POST (or GET for queries)")
}

func writeBadRequest(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	writeResponse(w, &graphql.Response{Errors: gqlerror.List{{Message: message, Extensions: map[string]any{"code": CodeBadRequest}}}})
}

// writeResponse writes a response as encoding/json would, byte for byte. A response that is
// only data (nearly every one) is written around its data as it is: json.Marshal would check
// and copy the whole of it again, which costs as much as writing it. Data holding characters
// that encoding/json escapes (<, >, &, U+2028, U+2029) goes through json.Marshal.
// htmlUnsafe reports whether json.Marshal would escape something in b: <, >, & or U+2028/9.
// One byte search each: bytes.ContainsAny walks a set with runes above ASCII rune by rune, an
// eighth of the server's CPU on a page of 100 orders.
func htmlUnsafe(b []byte) bool {
	return bytes.IndexByte(b, '<') >= 0 || bytes.IndexByte(b, '>') >= 0 || bytes.IndexByte(b, '&') >= 0 ||
		bytes.Contains(b, []byte("\u2028")) || bytes.Contains(b, []byte("\u2029"))
}

func writeResponse(w io.Writer, res *graphql.Response) {
	// gqlgen hands over an empty, not a nil, map of extensions, which omitempty omits as well.
	if len(res.Errors) == 0 && res.Label == "" && len(res.Path) == 0 && res.HasNext == nil && len(res.Extensions) == 0 &&
		len(res.Data) > 0 && !htmlUnsafe(res.Data) {
		io.WriteString(w, `{"data":`)
		w.Write(res.Data)
		io.WriteString(w, `}`)
		return
	}
	b, err := json.Marshal(res)
	if err != nil {
		// Only resolvers' values are marshalled here, and gqlgen has marshalled them already.
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Write(b)
}
