package invoicepdf

import "strings"

// labels are the texts printed on a document in one language. Formats take
// their arguments in the order of the English text.
type labels struct {
	title             map[Kind]string
	number            string
	issueDate         string
	dueDate           string
	customerReference string
	paymentReference  string
	buyerVAT          string
	creditedInvoice   string
	pos, description  string
	quantity, unit    string
	vat, amount       string
	net               string
	vatOn             string // rate, base
	total             string
	prepaidUsed       string
	prepaidCredited   string
	paidOn            string // date, method
	refundedOn        string // date, method
	amountDue         string
	paidStamp         string
	payableWithin     string // days, due date
	payableNow        string
	bankTransfer      string // IBAN, account holder, reference
	proformaNote      string
	creditNote        string // invoice number
	slipFollows       string
	page              string // page, pages
	phone             string
}

var allLabels = map[string]labels{
	"en": {
		title:             map[Kind]string{KindInvoice: "Invoice", KindProforma: "Pro-forma invoice", KindCreditNote: "Credit note"},
		number:            "Number",
		issueDate:         "Date",
		dueDate:           "Due date",
		customerReference: "Customer reference",
		paymentReference:  "Payment reference",
		buyerVAT:          "Your VAT number",
		creditedInvoice:   "Credited invoice",
		pos:               "Pos.", description: "Description",
		quantity: "Qty", unit: "Unit price",
		vat: "VAT", amount: "Amount",
		net:             "Total excl. VAT",
		vatOn:           "VAT %s on %s",
		total:           "Total incl. VAT",
		prepaidUsed:     "Paid from prepaid account",
		prepaidCredited: "Credited to the prepaid account",
		paidOn:          "Paid on %s by %s",
		refundedOn:      "Refunded on %s to %s",
		amountDue:       "Amount due",
		paidStamp:       "PAID",
		payableWithin:   "Payable within %d days, by %s.",
		payableNow:      "Payable on receipt.",
		bankTransfer:    "Please pay by bank transfer to IBAN %s (%s) with the reference %s.",
		proformaNote:    "This pro-forma invoice is not a VAT invoice: the invoice follows on payment.",
		creditNote:      "This credit note refers to invoice %s.",
		slipFollows:     "The payment slip is on the last page.",
		page:            "Page %d/%d",
		phone:           "Phone",
	},
	"fr": {
		title:             map[Kind]string{KindInvoice: "Facture", KindProforma: "Facture pro forma", KindCreditNote: "Note de crédit"},
		number:            "Numéro",
		issueDate:         "Date",
		dueDate:           "Échéance",
		customerReference: "Référence client",
		paymentReference:  "Référence de paiement",
		buyerVAT:          "Votre n° TVA",
		creditedInvoice:   "Facture créditée",
		pos:               "Pos.", description: "Désignation",
		quantity: "Qté", unit: "Prix unitaire",
		vat: "TVA", amount: "Montant",
		net:             "Total hors TVA",
		vatOn:           "TVA %s sur %s",
		total:           "Total TVA incluse",
		prepaidUsed:     "Payé avec le compte prépayé",
		prepaidCredited: "Crédité sur le compte prépayé",
		paidOn:          "Payé le %s par %s",
		refundedOn:      "Remboursé le %s sur %s",
		amountDue:       "Montant à payer",
		paidStamp:       "PAYÉ",
		payableWithin:   "Payable dans les %d jours, au plus tard le %s.",
		payableNow:      "Payable à réception.",
		bankTransfer:    "Veuillez payer par virement sur l'IBAN %s (%s) avec la référence %s.",
		proformaNote:    "Cette facture pro forma n'est pas une facture au sens de la TVA\u00a0: la facture suit le paiement.",
		creditNote:      "Cette note de crédit se rapporte à la facture %s.",
		slipFollows:     "Le bulletin de versement figure sur la dernière page.",
		page:            "Page %d/%d",
		phone:           "Tél.",
	},
	"de": {
		title:             map[Kind]string{KindInvoice: "Rechnung", KindProforma: "Proforma-Rechnung", KindCreditNote: "Gutschrift"},
		number:            "Nummer",
		issueDate:         "Datum",
		dueDate:           "Fällig am",
		customerReference: "Kundenreferenz",
		paymentReference:  "Zahlungsreferenz",
		buyerVAT:          "Ihre MWST-Nummer",
		creditedInvoice:   "Gutschrift zu Rechnung",
		pos:               "Pos.", description: "Bezeichnung",
		quantity: "Menge", unit: "Einzelpreis",
		vat: "MWST", amount: "Betrag",
		net:             "Total exkl. MWST",
		vatOn:           "MWST %s auf %s",
		total:           "Total inkl. MWST",
		prepaidUsed:     "Bezahlt mit dem Prepaid-Konto",
		prepaidCredited: "Dem Prepaid-Konto gutgeschrieben",
		paidOn:          "Bezahlt am %s mit %s",
		refundedOn:      "Zurückerstattet am %s auf %s",
		amountDue:       "Zu bezahlen",
		paidStamp:       "BEZAHLT",
		payableWithin:   "Zahlbar innert %d Tagen, bis %s.",
		payableNow:      "Zahlbar sofort.",
		bankTransfer:    "Bitte überweisen Sie den Betrag auf die IBAN %s (%s) mit der Referenz %s.",
		proformaNote:    "Diese Proforma-Rechnung ist keine Rechnung im Sinne der MWST: die Rechnung folgt nach Zahlungseingang.",
		creditNote:      "Diese Gutschrift bezieht sich auf die Rechnung %s.",
		slipFollows:     "Der Einzahlungsschein befindet sich auf der letzten Seite.",
		page:            "Seite %d/%d",
		phone:           "Tel.",
	},
	"it": {
		title:             map[Kind]string{KindInvoice: "Fattura", KindProforma: "Fattura proforma", KindCreditNote: "Nota di credito"},
		number:            "Numero",
		issueDate:         "Data",
		dueDate:           "Scadenza",
		customerReference: "Riferimento cliente",
		paymentReference:  "Riferimento di pagamento",
		buyerVAT:          "Vostro n. IVA",
		creditedInvoice:   "Fattura accreditata",
		pos:               "Pos.", description: "Descrizione",
		quantity: "Qtà", unit: "Prezzo unitario",
		vat: "IVA", amount: "Importo",
		net:             "Totale IVA esclusa",
		vatOn:           "IVA %s su %s",
		total:           "Totale IVA inclusa",
		prepaidUsed:     "Pagato con il conto prepagato",
		prepaidCredited: "Accreditato sul conto prepagato",
		paidOn:          "Pagato il %s con %s",
		refundedOn:      "Rimborsato il %s su %s",
		amountDue:       "Importo da pagare",
		paidStamp:       "PAGATO",
		payableWithin:   "Pagabile entro %d giorni, al più tardi il %s.",
		payableNow:      "Pagabile al ricevimento.",
		bankTransfer:    "Vi preghiamo di pagare con bonifico sull'IBAN %s (%s) indicando il riferimento %s.",
		proformaNote:    "Questa fattura proforma non è una fattura ai fini IVA: la fattura segue al pagamento.",
		creditNote:      "Questa nota di credito si riferisce alla fattura %s.",
		slipFollows:     "La polizza di versamento si trova sull'ultima pagina.",
		page:            "Pagina %d/%d",
		phone:           "Tel.",
	},
	"es": {
		title:             map[Kind]string{KindInvoice: "Factura", KindProforma: "Factura proforma", KindCreditNote: "Nota de crédito"},
		number:            "Número",
		issueDate:         "Fecha",
		dueDate:           "Vencimiento",
		customerReference: "Referencia de cliente",
		paymentReference:  "Referencia de pago",
		buyerVAT:          "Su número de IVA",
		creditedInvoice:   "Factura abonada",
		pos:               "Pos.", description: "Descripción",
		quantity: "Cant.", unit: "Precio unitario",
		vat: "IVA", amount: "Importe",
		net:             "Total sin IVA",
		vatOn:           "IVA %s sobre %s",
		total:           "Total con IVA",
		prepaidUsed:     "Pagado con la cuenta prepago",
		prepaidCredited: "Abonado en la cuenta prepago",
		paidOn:          "Pagado el %s con %s",
		refundedOn:      "Reembolsado el %s en %s",
		amountDue:       "Importe pendiente",
		paidStamp:       "PAGADO",
		payableWithin:   "Pagadero en %d días, a más tardar el %s.",
		payableNow:      "Pagadero a la recepción.",
		bankTransfer:    "Le rogamos pague por transferencia al IBAN %s (%s) indicando la referencia %s.",
		proformaNote:    "Esta factura proforma no es una factura a efectos del IVA: la factura se emite al recibir el pago.",
		creditNote:      "Esta nota de crédito se refiere a la factura %s.",
		slipFollows:     "El boletín de pago figura en la última página.",
		page:            "Página %d/%d",
		phone:           "Tel.",
	},
}

// langOf is the supported language of tag ("fr-CH" is "fr"), English when
// the language is not supported.
func langOf(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	base, _, _ = strings.Cut(base, "_")
	if _, ok := allLabels[base]; ok {
		return base
	}
	return "en"
}
