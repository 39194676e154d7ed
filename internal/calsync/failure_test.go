package calsync_test

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/providers/caldav/caldavtest"
)

// proxy stands between the app and a CalDAV server so a test can take the
// server away (down), or have it die in the middle of its answers (cut),
// and bring it back on the same address.
type proxy struct {
	t      *testing.T
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	cut   bool
}

func startProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target, conns: map[net.Conn]bool{}}
	p.listen("127.0.0.1:0")
	t.Cleanup(p.down)
	return p
}

func (p *proxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatalf("proxy: %v", err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
}

func (p *proxy) serve(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = true, true
	cut := p.cut
	p.mu.Unlock()
	go io.Copy(up, c)
	if cut {
		// The server dies after the first bytes of its answer.
		io.CopyN(c, up, 120)
	} else {
		io.Copy(c, up)
	}
	c.Close()
	up.Close()
}

func (p *proxy) setCut(cut bool) {
	p.mu.Lock()
	p.cut = cut
	p.mu.Unlock()
	p.dropConns()
}

// down closes the port and every open connection.
func (p *proxy) down() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.mu.Unlock()
	p.dropConns()
}

func (p *proxy) up() { p.listen(p.addr) }

func (p *proxy) dropConns() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func TestServerFailureKeepsBusyTimeAndRecovers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		srv := caldavtest.StartRadicale(t)
		p := startProxy(t, srv.URL[len("http://"):len(srv.URL)-1])
		a := startApp(t, db, appOptions{allowPrivate: true, syncInterval: time.Second})
		start := time.Now().UTC().AddDate(0, 0, 1).Truncate(time.Hour)
		srv.Put(t, "one.ics", caldavtest.Event("one", "One", start, start.Add(time.Hour)))
		m := a.createMentor("Ada")
		if st := m.connect("http://"+p.addr+"/", srv.Username, srv.Password, nil); st != 201 {
			t.Fatalf("connect: %d", st)
		}
		from, to := time.Now().UTC(), time.Now().UTC().AddDate(0, 0, 7)
		if got := spansOf(m.busy(from, to), "caldav"); len(got) != 1 {
			t.Fatalf("busy after connect: %v", got)
		}

		// The server dies in the middle of answering, then is gone.
		p.setCut(true)
		srv.Put(t, "two.ics", caldavtest.Event("two", "Two", start.Add(2*time.Hour), start.Add(3*time.Hour)))
		for _, breakServer := range []func(){func() {}, p.down} {
			breakServer()
			res := m.sync()
			if len(res) != 1 || res[0].Status != "error" || res[0].Error == nil {
				t.Fatalf("sync of a dead server: %+v", res)
			}
			conn := m.connections()[0]
			if conn.Status != "error" || conn.Error == nil || *conn.Error == "" || conn.LastSuccess == nil {
				t.Fatalf("connection after a failed sync: %+v", conn)
			}
			if got := spansOf(m.busy(from, to), "caldav"); len(got) != 1 {
				t.Fatalf("last good busy time lost: %v", got)
			}
		}

		// Back on its address: the background sync recovers by itself.
		p.setCut(false)
		p.up()
		eventually(t, "the connection to recover", func() bool {
			c := m.connections()[0]
			return c.Status == "ok" && c.Error == nil && len(spansOf(m.busy(from, to), "caldav")) == 2
		})
	})
}

func TestWrongPasswordLaterAsksToReconnect(t *testing.T) {
	a := startApp(t, storetest.SQLite(t), appOptions{allowPrivate: true})
	srv := caldavtest.StartRadicale(t)
	m := a.createMentor("Ada")
	if st := m.connect(srv.URL, srv.Username, srv.Password, nil); st != 201 {
		t.Fatalf("connect: %d", st)
	}
	// The password changes on the server: stored credentials now fail.
	if err := a.store.Exec(t.Context(), "UPDATE connections SET credentials_sealed = ?", sealedWrongPassword(t, a)); err != nil {
		t.Fatal(err)
	}
	res := m.sync()
	if len(res) != 1 || res[0].Status != "reauth_required" || res[0].Error == nil {
		t.Fatalf("sync with revoked credentials: %+v", res)
	}
	if c := m.connections()[0]; c.Status != "reauth_required" || c.Error == nil {
		t.Fatalf("connection: %+v", c)
	}
}
