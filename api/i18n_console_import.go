package api

// consoleImportMessages are the console strings its import page, mentor
// statuses and dashboard counts ask for, which the console tables lacked
// (the pages showed the raw keys); TestEveryPageKeyHasFrench checks that
// every key a page asks for exists in both languages.
var consoleImportMessages = map[string]map[string]string{
	"en": {
		"title.staff_import": "Import mentees", "staff.import_heading": "Import mentees from a CSV file",
		"staff.import_checked": "File checked", "staff.import_done": "Import done",
		"staff.import_problems": "Problems found:", "staff.import_nothing": "Nothing was imported; fix the lines below and check again.",
		"staff.import_line": "Line", "staff.import_problem": "Problem",
		"staff.import_ready": "Every line is valid. Mentees ready to import:", "staff.import_created": "Mentees created:",
		"staff.import_file": "The file", "staff.import_hint": "One mentee a line, with this first line (mentor_email may stay empty: the mentor with the most free places is chosen):",
		"staff.import_choose": "Choose a CSV file", "staff.import_paste": "Or paste its lines",
		"staff.import_check": "Check the file", "staff.import_run": "Import",
		"staff.tag_paused": "paused", "staff.tag_inactive": "inactive", "staff.paused": "paused:", "staff.inactive": "inactive:",
		"staff.mentor_status_hint": "A paused mentor keeps their mentees but takes no new ones; an inactive mentor offers no sessions.",
	},
	"fr": {
		"title.staff_import": "Importer des mentorés", "staff.import_heading": "Importer des mentorés depuis un fichier CSV",
		"staff.import_checked": "Fichier vérifié", "staff.import_done": "Import terminé",
		"staff.import_problems": "Problèmes trouvés :", "staff.import_nothing": "Rien n'a été importé ; corrigez les lignes ci-dessous et vérifiez de nouveau.",
		"staff.import_line": "Ligne", "staff.import_problem": "Problème",
		"staff.import_ready": "Toutes les lignes sont valides. Mentorés prêts à importer :", "staff.import_created": "Mentorés créés :",
		"staff.import_file": "Le fichier", "staff.import_hint": "Un mentoré par ligne, avec cette première ligne (mentor_email peut rester vide : le mentor qui a le plus de places libres est choisi) :",
		"staff.import_choose": "Choisir un fichier CSV", "staff.import_paste": "Ou collez ses lignes",
		"staff.import_check": "Vérifier le fichier", "staff.import_run": "Importer",
		"staff.tag_paused": "en pause", "staff.tag_inactive": "inactif", "staff.paused": "en pause :", "staff.inactive": "inactifs :",
		"staff.mentor_status_hint": "Un mentor en pause garde ses mentorés mais n'en prend pas de nouveaux ; un mentor inactif ne propose aucune séance.",
	},
}

func init() {
	for lang, table := range consoleImportMessages {
		for key, text := range table {
			// The console's own table wins once it has the string.
			if _, ok := consoleMessages[lang][key]; !ok {
				consoleMessages[lang][key] = text
			}
		}
	}
}
