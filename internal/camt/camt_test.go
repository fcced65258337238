package camt

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/alpage/alpage/internal/money"
)

func parseFile(t *testing.T, name string) []Entry {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return entries
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func chf(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "CHF"} }

func TestParseSampleFiles(t *testing.T) {
	t.Parallel()
	cases := map[string][]Entry{
		// Version .04, one QR-bill payment with a QR reference.
		"camt054_v04.xml": {{
			BookingDate: day(2025, 11, 3), Amount: chf(194975), CreditDebit: Credit,
			Reference: "210000000003139471430009017", EndToEndID: "E2E-PIA-2025-0001",
			AccountServicerRef: "251103CH0A1B2C3D-0001", DebtorName: "Pia-Maria Rutschmann-Schnyder",
			Unstructured: "Order of 15 June 2020",
		}},
		// A batch booking of three payments: three entries, own amounts,
		// the entry's AcctSvcrRef numbered, NOTPROVIDED dropped.
		"camt054_v04_batch.xml": {
			{BookingDate: day(2025, 11, 4), Amount: chf(10000), CreditDebit: Credit,
				Reference: "000000000000000000000000011", AccountServicerRef: "251104BATCH77/1", DebtorName: "Anna Muster"},
			{BookingDate: day(2025, 11, 4), Amount: chf(12050), CreditDebit: Credit,
				Reference: "000000000000000000001234565", EndToEndID: "E2E-B-2", AccountServicerRef: "251104BATCH77/2", DebtorName: "Bernard Exemple"},
			{BookingDate: day(2025, 11, 4), Amount: chf(9950), CreditDebit: Credit,
				Reference: "210000000003139471430009017", EndToEndID: "E2E-B-3", AccountServicerRef: "251104BATCH77/3", DebtorName: "Chiara Esempio"},
		},
		// Version .08, EUR, creditor reference normalised; the pending entry is skipped.
		"camt054_v08.xml": {{
			BookingDate: day(2025, 11, 5), Amount: money.Amount{Minor: 21100, Currency: "EUR"}, CreditDebit: Credit,
			Reference: "RF18539007547034", EndToEndID: "SEPA-E2E-7781",
			AccountServicerRef: "EUR-20251105-000042-T1", DebtorName: "Sarah Beispiel",
		}},
		// A debit, booked with a date-time late in the evening: the date as written.
		"camt054_v08_debit.xml": {{
			BookingDate: day(2025, 11, 6), Amount: chf(4510), CreditDebit: Debit,
			EndToEndID: "ALPAGE-REFUND-0042", AccountServicerRef: "DBIT-20251106-9",
			Unstructured: "Refund of invoice 2025-0042",
		}},
		// No reference: the message and the ultimate debtor; amount from the
		// entry ("75"); an entry without details gives one Entry.
		"camt054_v08_noref.xml": {
			{BookingDate: day(2025, 11, 7), Amount: chf(7500), CreditDebit: Credit,
				AccountServicerRef: "NOREF-20251107-1", DebtorName: "Émilie Dupont", Unstructured: "Facture 2025-0042 merci"},
			{BookingDate: day(2025, 11, 7), Amount: chf(10), CreditDebit: Credit, AccountServicerRef: "NOREF-20251107-2"},
		},
	}
	for name, want := range cases {
		got := parseFile(t, name)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestParseAccountServicerRefsAreUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	files, _ := filepath.Glob("testdata/camt054_*.xml")
	for _, f := range files {
		for _, e := range parseFile(t, filepath.Base(f)) {
			if e.AccountServicerRef == "" {
				t.Errorf("%s: entry without AccountServicerRef: %+v", f, e)
			}
			if prev, dup := seen[e.AccountServicerRef]; dup {
				t.Errorf("AccountServicerRef %q in %s and %s", e.AccountServicerRef, prev, f)
			}
			seen[e.AccountServicerRef] = f
		}
	}
}

func TestParseRefusesOtherFiles(t *testing.T) {
	t.Parallel()
	statement, err := os.ReadFile("testdata/camt053_statement.xml")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"camt.053 statement": string(statement),
		"empty":              "",
		"not XML":            "Datum;Betrag;Referenz\n2025-11-03;1949.75;21000\n",
		"other root":         `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>`,
		"pain.001":           `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>`,
		"truncated":          `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><Ntfctn><Ntry>`,
		"Latin-1":            `<?xml version="1.0" encoding="ISO-8859-1"?><Document/>`,
	}
	for name, in := range cases {
		_, err := Parse(strings.NewReader(in))
		if !errors.Is(err, ErrNotCamt054) {
			t.Errorf("%s: Parse error = %v, want ErrNotCamt054", name, err)
		}
	}
	if _, err := Parse(bytes.NewReader(statement)); err == nil || !strings.Contains(err.Error(), "camt.053") {
		t.Errorf("a statement's error %v does not say it is a camt.053", err)
	}
}

// entryXML is a minimal camt.054.001.08 file with one entry.
func entryXML(amount, ccy, ind, extra string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><Ntfctn>
<Ntry><Amt Ccy="` + ccy + `">` + amount + `</Amt><CdtDbtInd>` + ind + `</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2025-11-03</Dt></BookgDt><AcctSvcrRef>R1</AcctSvcrRef>` + extra + `</Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`
}

func TestParseAmounts(t *testing.T) {
	t.Parallel()
	good := map[string]int64{
		"1949.75": 194975, "0.01": 1, "100": 10000, "100.5": 10050, "12.500": 1250,
		" 7.20 ": 720, "0000012.30": 1230, "999999999999999.99": 99999999999999999,
	}
	for in, want := range good {
		got, err := Parse(strings.NewReader(entryXML(in, "CHF", "CRDT", "")))
		if err != nil || len(got) != 1 || got[0].Amount != chf(want) {
			t.Errorf("amount %q: %+v, %v; want %d", in, got, err, want)
		}
	}
	bad := []string{"", "1,50", "-5.00", "+5", "1.005", "1e3", "12.", ".5", "0x10", "1 000.00", "NaN", "1000000000000000.00", "١٢"}
	for _, in := range bad {
		_, err := Parse(strings.NewReader(entryXML(in, "CHF", "CRDT", "")))
		if !errors.Is(err, ErrAmount) {
			t.Errorf("amount %q: error %v, want ErrAmount", in, err)
		} else if !strings.Contains(err.Error(), "entry 1") {
			t.Errorf("amount %q: error %q does not name the entry", in, err)
		}
	}
	for _, ccy := range []string{"USD", "", "chf"} {
		if _, err := Parse(strings.NewReader(entryXML("1.00", ccy, "CRDT", ""))); !errors.Is(err, ErrAmount) {
			t.Errorf("currency %q: error %v, want ErrAmount", ccy, err)
		}
	}
}

func TestParseEntryErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"bad indicator":      entryXML("1.00", "CHF", "CREDIT", ""),
		"bad tx indicator":   entryXML("1.00", "CHF", "CRDT", `<NtryDtls><TxDtls><Amt Ccy="CHF">1.00</Amt><CdtDbtInd>X</CdtDbtInd></TxDtls></NtryDtls>`),
		"no booking date":    strings.Replace(entryXML("1.00", "CHF", "CRDT", ""), "<BookgDt><Dt>2025-11-03</Dt></BookgDt>", "", 1),
		"bad booking date":   strings.Replace(entryXML("1.00", "CHF", "CRDT", ""), "2025-11-03", "03.11.2025", 1),
		"batch without amts": entryXML("2.00", "CHF", "CRDT", `<NtryDtls><TxDtls/><TxDtls/></NtryDtls>`),
	}
	for name, in := range cases {
		_, err := Parse(strings.NewReader(in))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, ErrEntry) && !errors.Is(err, ErrAmount) {
			t.Errorf("%s: error %v, want ErrEntry or ErrAmount", name, err)
		}
	}
	// A reversal is reported as such.
	got, err := Parse(strings.NewReader(strings.Replace(entryXML("5.00", "CHF", "DBIT", ""), "<Sts>", "<RvslInd>true</RvslInd><Sts>", 1)))
	if err != nil || len(got) != 1 || !got[0].Reversal || got[0].CreditDebit != Debit {
		t.Errorf("reversal: %+v, %v", got, err)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(entryXML("1.00", "EUR", "DBIT", "")))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Parse(bytes.NewReader(data))
		if err != nil {
			if entries != nil {
				t.Fatalf("Parse returned entries with error %v", err)
			}
			return
		}
		for _, e := range entries {
			if e.CreditDebit != Credit && e.CreditDebit != Debit {
				t.Fatalf("entry with CreditDebit %q", e.CreditDebit)
			}
			if e.Amount.Minor < 0 || !money.Supported(e.Amount.Currency) {
				t.Fatalf("entry with amount %+v", e.Amount)
			}
			if e.BookingDate.IsZero() || e.BookingDate.Location() != time.UTC || e.BookingDate.Hour() != 0 {
				t.Fatalf("entry with booking date %v", e.BookingDate)
			}
			if strings.ContainsAny(e.Reference, " \t\n") {
				t.Fatalf("reference %q keeps spaces", e.Reference)
			}
		}
	})
}
