package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FileSender writes each message as an .eml file, for installations without
// SMTP: a new user can open them with any mail client.
type FileSender struct {
	dir string
	now func() time.Time
}

// NewFileSender writes into dir (created on first use), typically data/mail.
func NewFileSender(dir string) *FileSender {
	return &FileSender{dir: dir, now: time.Now}
}

// Dir is where the files go.
func (f *FileSender) Dir() string { return f.dir }

// Send writes <time>-<message id>.eml. The file appears atomically (temp
// file, then rename), so a reader or a file watcher never sees half a mail.
func (f *FileSender) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := f.now()
	if m.MessageID == "" {
		id, err := newMessageID(m.From.Email)
		if err != nil {
			return err
		}
		m.MessageID = id
	}
	data, err := Compose(m, now)
	if err != nil {
		return &deliveryError{step: "compose", err: err, permanent: true}
	}
	if err := os.MkdirAll(f.dir, 0o750); err != nil {
		return fmt.Errorf("mail: create mail directory: %w", err)
	}
	name := now.UTC().Format("20060102T150405.000000000Z") + "-" + fileSafe(m.MessageID) + ".eml"
	tmp, err := os.CreateTemp(f.dir, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("mail: write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("mail: write %s: %w", name, err)
	}
	if err := tmp.Chmod(0o640); err != nil {
		tmp.Close()
		return fmt.Errorf("mail: write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mail: write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(f.dir, name)); err != nil {
		return fmt.Errorf("mail: write %s: %w", name, err)
	}
	return nil
}

// fileSafe keeps the local part of a Message-ID, restricted to characters
// that are safe in file names everywhere.
func fileSafe(messageID string) string {
	local, _, _ := strings.Cut(messageID, "@")
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, local)
	if len(safe) > 64 {
		safe = safe[:64]
	}
	return strings.Trim(safe, ".")
}

var _ Sender = (*FileSender)(nil)
