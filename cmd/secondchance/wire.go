package main

import (
	"strings"

	"github.com/alexedwards/scs/postgresstore"

	"github.com/secondchance/secondchance/db"
	schttp "github.com/secondchance/secondchance/http"
	"github.com/secondchance/secondchance/portal"
)

// HTTP is the part of the configuration the HTTP edge reads.
func (c Config) HTTP() schttp.Config {
	return schttp.Config{ListenAddr: c.ListenAddr, RequestTimeout: c.RequestTimeout, MaxBodyBytes: c.MaxBodyBytes,
		ShutdownTimeout: c.ShutdownTimeout, PublicURL: c.PublicURL, LinkSecret: c.LinkSecret, LinkTTL: c.LinkTTL,
		MetricsAddr: c.MetricsAddr, MetricsToken: c.MetricsToken, MetricsPprof: c.MetricsPprof, CORSOrigins: c.CORSOrigins,
		NoPlans: !c.GraphQLPlans}
}

// NewServer wires the HTTP edge over the database: every service is the storage layer's, and
// the staff portal under /portal/ calls the same ones, with its sessions in PostgreSQL.
func NewServer(cfg Config, d *db.DB) *schttp.Server {
	hc := cfg.HTTP()
	services := d.Services(schttp.NewLinks(hc))
	p := portal.New(services, portal.WithSessionStore(postgresstore.New(d.DB.DB)),
		portal.WithSecureCookies(strings.HasPrefix(cfg.PublicURL, "https://")))
	return schttp.NewServer(hc, services, schttp.WithSQLStats(d.DB.DB, d.Statements), schttp.WithPortal(p))
}
