package staff_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/signin"
	"github.com/rendezvous/rendezvous/internal/staff"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// TestStaffRules: only an admin manages staff; addresses are unique
// without case, even when 20 requests race for one; the list pages by
// keyset; removing a member ends their console sessions at once; an admin
// cannot remove themselves.
func TestStaffRules(t *testing.T) {
	storetest.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var clockMu sync.Mutex
		clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		tick := func() time.Time {
			clockMu.Lock()
			defer clockMu.Unlock()
			clock = clock.Add(time.Second)
			return clock
		}
		svc := staff.New(st, tick)
		admin := access.AdminToken()

		for _, by := range []access.Principal{{}, access.Mentor("m1"), access.Staff("s1", access.RoleCoordinator)} {
			if _, err := svc.Create(ctx, by, staff.Input{Name: "X", Email: "x@example.org", Role: "coordinator"}); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("create as %+v: %v, want forbidden", by, err)
			}
			if _, err := svc.List(ctx, by, "", 0); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("list as %+v: %v, want forbidden", by, err)
			}
		}
		for _, bad := range []staff.Input{{Name: "", Email: "a@example.org", Role: "admin"}, {Name: "A", Email: "not-an-address", Role: "admin"},
			{Name: "A", Email: "a@example.org", Role: "mentor"}} {
			if _, err := svc.Create(ctx, admin, bad); apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("create %+v: %v, want invalid_input", bad, err)
			}
		}

		// 20 racing creations of one address (in different cases): one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		won, conflicts := 0, 0
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				email := "Ada@Example.org"
				if i%2 == 0 {
					email = "ada@example.org"
				}
				_, err := svc.Create(ctx, admin, staff.Input{Name: "Ada", Email: email, Role: "admin"})
				mu.Lock()
				defer mu.Unlock()
				switch apperr.CodeOf(err) {
				case apperr.Conflict:
					conflicts++
				default:
					if err != nil {
						t.Errorf("racing create: %v", err)
					} else {
						won++
					}
				}
			}(i)
		}
		wg.Wait()
		if won != 1 || conflicts != 19 {
			t.Fatalf("20 racing creations: %d created, %d conflicts", won, conflicts)
		}

		var ids []string
		for i := 0; i < 5; i++ {
			m, err := svc.Create(ctx, admin, staff.Input{Name: fmt.Sprintf("Coordinator %d", i), Email: fmt.Sprintf("c%d@example.org", i), Role: "coordinator"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		var seen []string
		cursor := ""
		for pages := 0; ; pages++ {
			page, err := svc.List(ctx, admin, cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page.Members {
				seen = append(seen, m.Email)
			}
			if page.Next == "" {
				if pages != 2 {
					t.Errorf("6 members in pages of 2 took %d pages", pages+1)
				}
				break
			}
			cursor = page.Next
		}
		if len(seen) != 6 || seen[1] != "c0@example.org" || seen[5] != "c4@example.org" {
			t.Errorf("paged list: %v", seen)
		}
		if _, err := svc.List(ctx, admin, "garbage!", 0); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("a forged cursor: %v", err)
		}

		// Removing a member ends their sessions at once.
		box, _ := secret.NewBox(make([]byte, 32))
		sessions := signin.New(st, nil, box, signin.Options{})
		value, _, err := sessions.StaffSessionStart(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		p, ok, err := sessions.StaffSession(ctx, value)
		if err != nil || !ok || p.Role != access.RoleCoordinator || p.StaffID != ids[0] {
			t.Fatalf("staff session: %+v %v %v", p, ok, err)
		}
		if err := svc.Delete(ctx, access.Staff(ids[1], access.RoleCoordinator), ids[0]); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a coordinator removed staff: %v", err)
		}
		if err := svc.Delete(ctx, admin, ids[0]); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := sessions.StaffSession(ctx, value); ok {
			t.Error("a removed member's session still works")
		}
		if err := svc.Delete(ctx, admin, ids[0]); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("removing twice: %v", err)
		}
		if err := svc.Delete(ctx, access.Staff(ids[1], access.RoleAdmin), ids[1]); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("an admin removed themselves: %v", err)
		}
	})
}
