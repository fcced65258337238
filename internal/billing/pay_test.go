package billing_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestBIL1_DueListShowsTheNextTwoMonthsOrAll(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		soon := b.product("domain", "soon.ch", ".ch", "1y", "2027-01-10")
		edge := b.product("web_hosting", "edge.ch", "starter", "1m", "2027-01-22")
		later := b.product("domain", "later.ch", ".ch", "1y", "2027-03-01")
		o := b.order("domain", "new.ch", "1y")
		items, err := b.bill.Due(ctx, b.lr, b.org, false)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Kind+":"+it.OrderID+it.ProductID)
		}
		want := []string{"order:" + o.ID, "renewal:" + soon, "renewal:" + edge}
		if !slices.Equal(got, want) {
			t.Fatalf("due within 2 months: %v, want %v", got, want)
		}
		r := items[1]
		if r.Amount != chf("16.22") || r.DueDate != "2027-01-10" || r.Period != "1y" || len(r.Periods) != 5 ||
			r.Periods[4].Period != "10y" || r.Periods[4].Total != chf("162.15") {
			t.Fatalf("renewal %+v", r)
		}
		all, err := b.bill.Due(ctx, b.lr, b.org, true)
		if err != nil || len(all) != 4 || all[3].ProductID != later {
			t.Fatalf("all: %+v, %v", all, err)
		}
		// An order asked for by a pro-forma is listed as the pro-forma.
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "iban"}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		items, _ = b.bill.Due(ctx, b.lr, b.org, false)
		if len(items) != 3 || items[0].Kind != "proforma" || items[0].InvoiceID != res.Invoice.ID || items[0].Amount != chf("16.22") {
			t.Fatalf("with a pro-forma: %+v", items)
		}
	})
}

func TestBIL2_TwoRenewalsAndAnOrderPaidTogetherWithPartPrepaid(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.deposit("50.00")
		dom := b.product("domain", "old.ch", ".ch", "1y", "2027-01-31")
		web := b.product("web_hosting", "old.ch", "starter", "1m", "2026-12-31")
		b.exec(`UPDATE products SET status = 'blocked' WHERE id = $1`, web) // BIL-7: paying unblocks it
		o := b.order("domain", "new.li", "1y")
		pm := b.card(sandbox.CardMastercard)
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{
			Items:           []billing.PayItem{{ProductID: dom, Period: "2y"}, {ProductID: web, Period: "1m"}, {OrderID: o.ID}},
			PaymentMethodID: pm, Prepaid: chf("20.00"), IdempotencyKey: "sel-1"}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		// 30.00 + 9.00 + 15.00 net; VAT 2.43 + 0.73 + 1.22 = 4.38.
		inv := res.Invoice
		if res.Status != "succeeded" || inv.Net != chf("54.00") || inv.VAT != chf("4.38") || inv.Total != chf("58.38") ||
			len(inv.Lines) != 3 {
			t.Fatalf("invoice %+v", inv)
		}
		var lineVAT int64
		for _, l := range inv.Lines {
			lineVAT += l.VAT.Minor
		}
		if lineVAT != inv.VAT.Minor {
			t.Fatalf("line VAT %d, invoice VAT %d", lineVAT, inv.VAT.Minor)
		}
		if len(res.Payments) != 2 {
			t.Fatalf("payments %+v", res.Payments)
		}
		parts := map[string]money.Amount{}
		for _, p := range res.Payments {
			parts[p.Method] = p.Amount
			if p.Status != "succeeded" || p.InvoiceID != inv.ID {
				t.Fatalf("payment %+v", p)
			}
		}
		if parts["prepaid"] != chf("20.00") || parts["card"] != chf("38.38") {
			t.Fatalf("split %v", parts)
		}
		accts, err := b.bill.Prepaid(ctx, b.lr, b.org)
		if err != nil || len(accts) != 1 {
			t.Fatal(accts, err)
		}
		a := accts[0]
		if a.Balance != chf("30.00") || a.Reserved.Minor != 0 || len(a.Entries) != 2 {
			t.Fatalf("account %+v", a)
		}
		if e := a.Entries[0]; e.Kind != "payment" || e.Amount != chf("-20.00") || e.Balance != chf("30.00") || e.InvoiceID != inv.ID {
			t.Fatalf("ledger payment %+v", e)
		}
		if e := a.Entries[1]; e.Kind != "deposit" || e.Amount != chf("50.00") || e.Balance != chf("50.00") {
			t.Fatalf("ledger deposit %+v", e)
		}
		// REN-6: renewals move from the current due date, in calendar terms.
		for pid, want := range map[string]string{dom: "2029-01-31", web: "2027-01-31", o.Items[0].ProductID: "2027-11-22"} {
			if st, due := b.productRow(pid); st != "active" || due != want {
				t.Fatalf("product %s: %s %s, want %s", pid, st, due, want)
			}
		}
		if n := b.sandboxCharges(); n != 2 { // the deposit and this payment
			t.Fatalf("%d charges", n)
		}
	})
}

func TestBIL4_DeclinedCardLeavesBalanceAndItemsUntouched(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.deposit("50.00")
		o := b.order("domain", "example.ch", "1y")
		for _, tc := range []struct{ number, code string }{{sandbox.CardDeclined, "card_declined"},
			{sandbox.CardInsufficientFunds, "insufficient_funds"}} {
			pm := b.card(tc.number)
			_, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}},
				PaymentMethodID: pm, Prepaid: chf("10.00")}, meta(b.lr))
			if e := wantCode(t, err, tc.code); e.Status != 402 {
				t.Fatalf("status %d", e.Status)
			}
		}
		if bal, entries := b.balance(); bal != 5000 || entries != 1 {
			t.Fatalf("balance %d with %d entries", bal, entries)
		}
		if st, due := b.productRow(o.Items[0].ProductID); st != "pending" || due != "" {
			t.Fatalf("product %s %s", st, due)
		}
		if n := b.count(`SELECT COUNT(*) FROM invoices`); n != 0 {
			t.Fatalf("%d invoices", n)
		}
		got, _ := b.bill.GetOrder(ctx, b.lr, b.org, o.ID)
		if got.Status != "pending" {
			t.Fatalf("order %s", got.Status)
		}
		if mails := b.outbox("lr@example.ch"); mails[0] != "payment_failed" {
			t.Fatalf("notices %v", mails)
		}
		// The same order then paid by the prepaid account alone.
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "prepaid"}, meta(b.lr))
		if err != nil || res.Status != "succeeded" || res.Invoice.Number != "2026-000001" {
			t.Fatalf("prepaid: %+v, %v", res, err)
		}
		if bal, _ := b.balance(); bal != 5000-1622 {
			t.Fatalf("balance %d", bal)
		}
	})
}

func TestBIL4_SameIdempotencyKeyChargesOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o := b.order("domain", "example.ch", "1y")
		pm := b.card(sandbox.CardVisa)
		in := billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, PaymentMethodID: pm, IdempotencyKey: "same"}
		first, err := b.bill.Pay(ctx, b.lr, b.org, in, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		again, err := b.bill.Pay(ctx, b.lr, b.org, in, meta(b.lr))
		if err != nil || again.Invoice.ID != first.Invoice.ID || again.Status != "succeeded" {
			t.Fatalf("replay: %+v, %v", again, err)
		}
		if n := b.sandboxCharges(); n != 1 {
			t.Fatalf("%d charges", n)
		}
		in.IdempotencyKey = "other"
		_, err = b.bill.Pay(ctx, b.lr, b.org, in, meta(b.lr))
		wantCode(t, err, "item_not_payable")
		if n := b.count(`SELECT COUNT(*) FROM invoices`); n != 1 {
			t.Fatalf("%d invoices", n)
		}
	})
}

func TestBIL4_LostGatewayAnswerIsResolvedBeforeAnyRetry(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o := b.order("domain", "example.ch", "1y")
		pm := b.card(sandbox.CardVisa)
		b.gw.LoseNextResponses(1) // charged, but the answer is lost
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, PaymentMethodID: pm}, meta(b.lr))
		if err != nil || res.Status != "succeeded" {
			t.Fatalf("%+v, %v", res, err)
		}
		o2 := b.order("domain", "second.ch", "1y")
		b.gw.FailNext(1) // never reached the gateway
		res, err = b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o2.ID}}, PaymentMethodID: pm}, meta(b.lr))
		if err != nil || res.Status != "succeeded" {
			t.Fatalf("%+v, %v", res, err)
		}
		if n := b.sandboxCharges(); n != 2 {
			t.Fatalf("%d charges, want 2", n)
		}
	})
}

func TestBIL2_InvoiceNumbersGaplessUnderConcurrency(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		const n = 8
		pm := b.card(sandbox.CardVisa)
		orders := make([]billing.Order, n)
		for i := range orders {
			orders[i] = b.order("domain", fmt.Sprintf("shop%d.ch", i), "1y")
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range orders {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, errs[i] = b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: orders[i].ID}},
					PaymentMethodID: pm}, meta(b.lr))
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("payment %d: %v", i, err)
			}
		}
		invs, err := b.bill.ListInvoices(ctx, b.lr, b.org, billing.InvoiceFilter{Kind: "invoice"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, inv := range invs {
			got = append(got, inv.Number)
		}
		slices.Sort(got)
		var want []string
		for i := 1; i <= n; i++ {
			want = append(want, fmt.Sprintf("2026-%06d", i))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("numbers %v, want %v", got, want)
		}
	})
}

func TestBIL4_PaymentPageThenCompleteCheckoutOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o := b.order("domain", "example.ch", "1y")
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "card",
			SaveMethod: true, ReturnURL: "/billing/return", CancelURL: "/billing"}, meta(b.lr))
		if err != nil || res.Status != "requires_action" || res.RedirectURL == "" || res.Invoice != nil {
			t.Fatalf("%+v, %v", res, err)
		}
		// While the page is open, the order is not paid twice.
		_, err = b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "card",
			ReturnURL: "/r", CancelURL: "/c"}, meta(b.lr))
		wantCode(t, err, "payment_in_progress")
		_, err = b.bill.CancelOrder(ctx, b.lr, b.org, o.ID, meta(b.lr))
		wantCode(t, err, "payment_in_progress")
		b.payOnPage(res.RedirectURL, sandbox.CardVisa)
		done, err := b.bill.CompleteCheckout(ctx, res.CheckoutID)
		if err != nil || done.Status != "succeeded" || done.Invoice == nil || done.Invoice.Number != "2026-000001" {
			t.Fatalf("complete: %+v, %v", done, err)
		}
		again, err := b.bill.CompleteCheckout(ctx, res.CheckoutID)
		if err != nil || again.Invoice.ID != done.Invoice.ID {
			t.Fatalf("second complete: %+v, %v", again, err)
		}
		if n := b.count(`SELECT COUNT(*) FROM invoices`); n != 1 {
			t.Fatalf("%d invoices", n)
		}
		methods, err := b.bill.ListPaymentMethods(ctx, b.lr, b.org)
		if err != nil || len(methods) != 1 || methods[0].Label != "Visa •••• 4242" || !methods[0].Default {
			t.Fatalf("saved methods %+v, %v", methods, err)
		}
		if st, _ := b.productRow(o.Items[0].ProductID); st != "active" {
			t.Fatalf("product %s", st)
		}
	})
}

func TestBIL4_AbandonedPaymentPageIsCanceledBySweep(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.deposit("20.00")
		o := b.order("domain", "example.ch", "1y")
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "twint",
			Prepaid: chf("5.00"), ReturnURL: "/r", CancelURL: "/c"}, meta(b.lr))
		if err != nil || res.Status != "requires_action" {
			t.Fatalf("%+v, %v", res, err)
		}
		if accts, _ := b.bill.Prepaid(ctx, b.lr, b.org); accts[0].Reserved != chf("5.00") {
			t.Fatalf("reserved %+v", accts[0])
		}
		b.clk.Advance(25 * 60 * 60 * 1e9) // past the page's 24 hours
		if err := b.bill.SweepPayments(ctx, b.clk.Now()); err != nil {
			t.Fatal(err)
		}
		got, err := b.bill.CompleteCheckout(ctx, res.CheckoutID)
		if err != nil || got.Status != "canceled" {
			t.Fatalf("%+v, %v", got, err)
		}
		accts, _ := b.bill.Prepaid(ctx, b.lr, b.org)
		if accts[0].Reserved.Minor != 0 || accts[0].Balance != chf("20.00") {
			t.Fatalf("account %+v", accts[0])
		}
		// The order can be paid again.
		if _, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "prepaid"}, meta(b.lr)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBIL4_PostFinanceOnlyInCHF(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o, err := b.bill.CreateOrder(ctx, b.lr, b.org, "EUR", []billing.OrderItem{{Type: "domain", Name: "example.eu"}}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "postfinance",
			ReturnURL: "/r", CancelURL: "/c"}, meta(b.lr))
		if e := wantCode(t, err, "payment_method_not_allowed"); e.Status != 422 {
			t.Fatalf("status %d", e.Status)
		}
		eur, _ := money.Parse("20.00", "EUR")
		_, err = b.bill.Deposit(ctx, b.lr, b.org, billing.DepositInput{Amount: eur, Method: "postfinance", ReturnURL: "/r"}, meta(b.lr))
		wantCode(t, err, "payment_method_not_allowed")
		// Items in two currencies are refused.
		o2 := b.order("domain", "example.ch", "1y")
		_, err = b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}, {OrderID: o2.ID}},
			Method: "iban"}, meta(b.lr))
		wantCode(t, err, "currency_mismatch")
	})
}

func TestBIL5_DepositLimits(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		pm := b.card(sandbox.CardVisa)
		for _, amount := range []string{"0.09", "9999.01", "0"} {
			_, err := b.bill.Deposit(ctx, b.lr, b.org, billing.DepositInput{Amount: chf(amount), PaymentMethodID: pm}, meta(b.lr))
			e := wantCode(t, err, "deposit_out_of_range")
			if e.Status != 422 || e.Attribute != "amount" || !slices.Equal(e.Values, []string{"0.10", "9999.00"}) {
				t.Fatalf("%s: %+v", amount, e)
			}
		}
		for _, amount := range []string{"0.10", "9999.00"} {
			res, err := b.bill.Deposit(ctx, b.lr, b.org, billing.DepositInput{Amount: chf(amount), PaymentMethodID: pm}, meta(b.lr))
			if err != nil || res.Status != "succeeded" {
				t.Fatalf("%s: %+v, %v", amount, res, err)
			}
		}
		if bal, entries := b.balance(); bal != 999910 || entries != 2 {
			t.Fatalf("balance %d, %d entries", bal, entries)
		}
		_, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: b.order("domain", "x.ch", "1y").ID}},
			PaymentMethodID: pm, Prepaid: chf("10000.00")}, meta(b.lr))
		if err != nil { // the prepaid part is capped at what is due
			t.Fatal(err)
		}
		if bal, _ := b.balance(); bal != 999910-1622 {
			t.Fatalf("balance %d", bal)
		}
	})
}
