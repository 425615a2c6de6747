package main

import (
	"github.com/secondchance/secondchance/db"
	schttp "github.com/secondchance/secondchance/http"
)

// HTTP is the part of the configuration the HTTP edge reads.
func (c Config) HTTP() schttp.Config {
	return schttp.Config{ListenAddr: c.ListenAddr, RequestTimeout: c.RequestTimeout, MaxBodyBytes: c.MaxBodyBytes,
		ShutdownTimeout: c.ShutdownTimeout, PublicURL: c.PublicURL, LinkSecret: c.LinkSecret, LinkTTL: c.LinkTTL,
		MetricsAddr: c.MetricsAddr, MetricsToken: c.MetricsToken, MetricsPprof: c.MetricsPprof, CORSOrigins: c.CORSOrigins}
}

// NewServer wires the HTTP edge over the database: every service is the storage layer's.
func NewServer(cfg Config, d *db.DB) *schttp.Server {
	hc := cfg.HTTP()
	return schttp.NewServer(hc, d.Services(schttp.NewLinks(hc)), schttp.WithSQLStats(d.DB.DB, d.Statements))
}
