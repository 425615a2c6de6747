package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// httpFloor serves each read's floor statement over HTTP with nothing else: no token, no
// GraphQL, no logging, no metrics; one prepared statement per request and its rows written as
// JSON arrays. Beside pgbench it shows what of the floor is left once a request crosses HTTP
// on this machine: a bar that this bare server misses cannot be met by any server here.
type httpFloor struct {
	db    *sql.DB
	srv   *http.Server
	base  string
	mu    sync.Mutex
	stmts map[string]*sql.Stmt // by path
	paths map[string]string    // path by statement
}

func startHTTPFloor(pgURL string, clients int) (*httpFloor, error) {
	db, err := sql.Open("postgres", pgURL)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(clients + 4)
	db.SetMaxIdleConns(clients + 4)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return nil, err
	}
	f := &httpFloor{db: db, base: "http://" + ln.Addr().String(), stmts: map[string]*sql.Stmt{}, paths: map[string]string{}}
	f.srv = &http.Server{Handler: http.HandlerFunc(f.serve), ReadHeaderTimeout: 5 * time.Second}
	go f.srv.Serve(ln)
	return f, nil
}

// url is where statement is served, prepared on first use.
func (f *httpFloor) url(ctx context.Context, statement string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.paths[statement]; ok {
		return f.base + p, nil
	}
	stmt, err := f.db.PrepareContext(ctx, statement)
	if err != nil {
		return "", err
	}
	p := "/" + strconv.Itoa(len(f.paths))
	f.paths[statement], f.stmts[p] = p, stmt
	return f.base + p, nil
}

func (f *httpFloor) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	stmt := f.stmts[r.URL.Path]
	f.mu.Unlock()
	if stmt == nil {
		http.NotFound(w, r)
		return
	}
	io.Copy(io.Discard, r.Body)
	out, err := floorRows(r.Context(), stmt)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

// floorRows runs stmt and writes its rows as {"data":[[…],…]}.
func floorRows(ctx context.Context, stmt *sql.Stmt) ([]byte, error) {
	rows, err := stmt.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := append(make([]byte, 0, 4096), `{"data":[`...)
	for n := 0; rows.Next(); n++ {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, ',')
		}
		out = append(out, '[')
		for i, v := range vals {
			if i > 0 {
				out = append(out, ',')
			}
			switch v := v.(type) {
			case nil:
				out = append(out, "null"...)
			case []byte:
				out = strconv.AppendQuote(out, string(v))
			case string:
				out = strconv.AppendQuote(out, v)
			case int64:
				out = strconv.AppendInt(out, v, 10)
			case float64:
				out = strconv.AppendFloat(out, v, 'g', -1, 64)
			case bool:
				out = strconv.AppendBool(out, v)
			case time.Time:
				out = append(v.AppendFormat(append(out, '"'), time.RFC3339Nano), '"')
			default:
				return nil, errors.New("a floor column of an unexpected type")
			}
		}
		out = append(out, ']')
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return append(out, "]}"...), nil
}

func (f *httpFloor) close() {
	f.srv.Close()
	f.db.Close()
}
