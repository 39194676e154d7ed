package api

// messages holds the pages' strings by language and key. It is read-only
// after start: a literal, never written to.
var messages = map[string]map[string]string{
	"en": {
		"nav.skip": "Skip to content", "nav.language": "Language",
		"title.book": "Book a session", "title.manage": "Your session", "title.signin": "Mentor sign-in", "title.mentor": "Mentor area", "title.mentor_session": "Session",
		"msession.back": "← Mentor area", "msession.heading": "Session with", "msession.note": "Note from the mentee:",
		"msession.reason": "Reason (optional, shared with your mentee)", "msession.outcome_heading": "How did it go?",
		"msession.outcome": "Outcome:", "msession.outcome_save": "Save the outcome",
		"outcome.completed": "held", "outcome.no_show": "the mentee did not come", "outcome.mentor_no_show": "I could not come",
		"outcome.late_cancel":       "cancelled late",
		"flash.cancelled_by_mentor": "The session is cancelled; your mentee has been told.", "flash.outcome": "Outcome saved.",
		"unit.minutes": "minutes",

		"pick.heading": "Pick a time", "pick.zone": "Times shown in", "pick.prev": "Previous week", "pick.next": "Next week",
		"pick.loading": "Loading free times…", "pick.noscript": "This page needs JavaScript to list the free times.",
		"pick.another": "Choose another time", "pick.none_week": "No free times this week.",
		"pick.none": "No free times in the coming weeks.", "pick.day_none": "No free times",
		"pick.taken": "Sorry, that time was just taken. Here are the free times now.",
		"pick.error": "The free times could not be loaded. Please try again.", "pick.count": "free times this week",

		"book.heading": "Book a session with", "book.length": "Session length:", "book.confirm_heading": "Confirm your session",
		"book.name": "Your name", "book.email": "Email address", "book.note": "Anything to share beforehand? (optional)",
		"book.confirm": "Confirm booking", "book.sending": "Booking…", "book.required": "Please enter your name and a valid email address.",

		"done.heading": "You're booked!", "done.for": "Booked for", "done.video": "Video link:",
		"done.ics": "Add to calendar (.ics)", "done.manage": "Reschedule or cancel",
		"done.mail": "An invitation is on its way to your mailbox.",

		"manage.heading": "Your session with", "manage.session": "Session", "manage.confirmed": "Confirmed.",
		"manage.cancelled": "Cancelled", "manage.move_heading": "Move your session", "manage.move": "Move session here",
		"manage.moving": "Moving…", "manage.cancel_heading": "Cancel the session",
		"manage.reason": "Reason (optional, shared with your mentor)", "manage.cancel": "Cancel session",

		"flash.cancelled": "Your session is cancelled.", "flash.rescheduled": "Your session has moved.",
		"flash.hours": "Your hours are saved.", "flash.connected": "Calendar connected.", "flash.disconnected": "Calendar disconnected.",
		"flash.calendar": "Calendar settings saved.", "flash.synced": "Calendars synced.", "flash.rotated": "New feed address made; the old one no longer works.",

		"error.title": "Something went wrong", "error.404": "Not found", "error.403": "Not allowed",
		"error.429": "Too many requests", "error.422": "Please check what you entered", "error.500": "Something went wrong on our side",
		"error.mentor": "Mentor? Sign in here.", "error.csrf": "This form has expired. Please reload the page and try again.",

		"signin.heading": "Mentor sign-in", "signin.text": "Enter your email address and we will mail you a sign-in link.",
		"signin.send":         "Email me a sign-in link",
		"signin.sent":         "If this address belongs to a mentor, a sign-in link is on its way. It works once, for 15 minutes.",
		"signin.confirm_text": "Press the button to sign in to your mentor area.", "signin.confirm": "Sign in",

		"mentor.signout": "Sign out", "mentor.signout_everywhere": "Sign out everywhere", "mentor.caseload": "Caseload", "mentor.active": "Active mentees:",
		"mentor.upcoming_count": "upcoming sessions:", "mentor.mentee": "Mentee", "mentor.completed": "Sessions done",
		"mentor.next": "Next session", "mentor.no_mentees": "No active mentees yet.", "mentor.upcoming": "Upcoming sessions",
		"mentor.join": "video", "mentor.no_upcoming": "No upcoming sessions.",
		"mentor.links": "Your links", "mentor.feed": "Calendar feed (subscribe in your calendar app)", "mentor.copy": "Copy",
		"mentor.copied": "Copied", "mentor.feed_hint": "Keep this address private: anyone who has it sees your sessions.",
		"mentor.rotate": "Make a new feed address", "mentor.public_link": "Public booking link",
		"mentor.hours": "Weekly hours", "mentor.hours_hint": "Ranges like 09:00-12:00, 14:00-17:00; empty for a day off. Times are in your zone",
		"mentor.overrides": "Date overrides", "mentor.overrides_hint": "One date per line: a date alone is a day off; a date followed by ranges replaces that day's hours.",
		"mentor.save_hours": "Save hours", "mentor.calendars": "Calendars", "mentor.status": "Status:", "mentor.last_sync": "last sync:",
		"mentor.conflicts": "check for conflicts", "mentor.write_target": "add sessions here", "mentor.save": "Save",
		"mentor.disconnect": "Disconnect", "mentor.no_calendars": "No calendar connected.", "mentor.sync": "Sync now",
		"mentor.caldav": "Connect a CalDAV calendar", "mentor.caldav_url": "Server or calendar address",
		"mentor.username": "User name", "mentor.password": "Password (an app password if your provider has them)",
		"mentor.connect": "Connect", "mentor.google": "Connect Google Calendar",

		"weekday.monday": "Monday", "weekday.tuesday": "Tuesday", "weekday.wednesday": "Wednesday", "weekday.thursday": "Thursday",
		"weekday.friday": "Friday", "weekday.saturday": "Saturday", "weekday.sunday": "Sunday",
	},
	"fr": {
		"nav.skip": "Aller au contenu", "nav.language": "Langue",
		"title.book": "Réserver une séance", "title.manage": "Votre séance", "title.signin": "Connexion mentor", "title.mentor": "Espace mentor", "title.mentor_session": "Séance",
		"msession.back": "← Espace mentor", "msession.heading": "Séance avec", "msession.note": "Note du mentoré :",
		"msession.reason": "Motif (facultatif, transmis à votre mentoré)", "msession.outcome_heading": "Comment s'est-elle passée ?",
		"msession.outcome": "Bilan :", "msession.outcome_save": "Enregistrer le bilan",
		"outcome.completed": "tenue", "outcome.no_show": "le mentoré n'est pas venu", "outcome.mentor_no_show": "je n'ai pas pu venir",
		"outcome.late_cancel":       "annulée tardivement",
		"flash.cancelled_by_mentor": "La séance est annulée ; votre mentoré a été prévenu.", "flash.outcome": "Bilan enregistré.",
		"unit.minutes": "minutes",

		"pick.heading": "Choisissez un créneau", "pick.zone": "Heures affichées pour", "pick.prev": "Semaine précédente", "pick.next": "Semaine suivante",
		"pick.loading": "Chargement des créneaux libres…", "pick.noscript": "Cette page a besoin de JavaScript pour afficher les créneaux libres.",
		"pick.another": "Choisir un autre créneau", "pick.none_week": "Aucun créneau libre cette semaine.",
		"pick.none": "Aucun créneau libre dans les semaines à venir.", "pick.day_none": "Aucun créneau",
		"pick.taken": "Désolé, ce créneau vient d'être pris. Voici les créneaux libres à présent.",
		"pick.error": "Impossible de charger les créneaux libres. Veuillez réessayer.", "pick.count": "créneaux libres cette semaine",

		"book.heading": "Réserver une séance avec", "book.length": "Durée de la séance :", "book.confirm_heading": "Confirmez votre séance",
		"book.name": "Votre nom", "book.email": "Adresse e-mail", "book.note": "Quelque chose à partager avant ? (facultatif)",
		"book.confirm": "Confirmer la réservation", "book.sending": "Réservation…", "book.required": "Indiquez votre nom et une adresse e-mail valide.",

		"done.heading": "C'est réservé !", "done.for": "Réservé pour", "done.video": "Lien vidéo :",
		"done.ics": "Ajouter au calendrier (.ics)", "done.manage": "Déplacer ou annuler",
		"done.mail": "Une invitation arrive dans votre boîte mail.",

		"manage.heading": "Votre séance avec", "manage.session": "Séance", "manage.confirmed": "Confirmée.",
		"manage.cancelled": "Annulée", "manage.move_heading": "Déplacer votre séance", "manage.move": "Déplacer la séance ici",
		"manage.moving": "Déplacement…", "manage.cancel_heading": "Annuler la séance",
		"manage.reason": "Motif (facultatif, transmis à votre mentor)", "manage.cancel": "Annuler la séance",

		"flash.cancelled": "Votre séance est annulée.", "flash.rescheduled": "Votre séance a été déplacée.",
		"flash.hours": "Vos horaires sont enregistrés.", "flash.connected": "Calendrier connecté.", "flash.disconnected": "Calendrier déconnecté.",
		"flash.calendar": "Réglages du calendrier enregistrés.", "flash.synced": "Calendriers synchronisés.", "flash.rotated": "Nouvelle adresse de flux créée ; l'ancienne ne fonctionne plus.",

		"error.title": "Un problème est survenu", "error.404": "Introuvable", "error.403": "Non autorisé",
		"error.429": "Trop de requêtes", "error.422": "Vérifiez ce que vous avez saisi", "error.500": "Un problème est survenu de notre côté",
		"error.mentor": "Mentor ? Connectez-vous ici.", "error.csrf": "Ce formulaire a expiré. Rechargez la page et réessayez.",

		"signin.heading": "Connexion mentor", "signin.text": "Indiquez votre adresse e-mail : nous vous enverrons un lien de connexion.",
		"signin.send":         "M'envoyer un lien de connexion",
		"signin.sent":         "Si cette adresse appartient à un mentor, un lien de connexion est en route. Il fonctionne une fois, pendant 15 minutes.",
		"signin.confirm_text": "Appuyez sur le bouton pour accéder à votre espace mentor.", "signin.confirm": "Se connecter",

		"mentor.signout": "Se déconnecter", "mentor.signout_everywhere": "Se déconnecter partout", "mentor.caseload": "Suivi", "mentor.active": "Mentorés actifs :",
		"mentor.upcoming_count": "séances à venir :", "mentor.mentee": "Mentoré", "mentor.completed": "Séances faites",
		"mentor.next": "Prochaine séance", "mentor.no_mentees": "Aucun mentoré actif pour l'instant.", "mentor.upcoming": "Séances à venir",
		"mentor.join": "vidéo", "mentor.no_upcoming": "Aucune séance à venir.",
		"mentor.links": "Vos liens", "mentor.feed": "Flux de calendrier (abonnez-vous dans votre agenda)", "mentor.copy": "Copier",
		"mentor.copied": "Copié", "mentor.feed_hint": "Gardez cette adresse privée : quiconque l'a voit vos séances.",
		"mentor.rotate": "Créer une nouvelle adresse de flux", "mentor.public_link": "Lien de réservation public",
		"mentor.hours": "Horaires de la semaine", "mentor.hours_hint": "Des plages comme 09:00-12:00, 14:00-17:00 ; vide pour un jour libre. Heures de votre fuseau",
		"mentor.overrides": "Exceptions par date", "mentor.overrides_hint": "Une date par ligne : une date seule est un jour libre ; une date suivie de plages remplace les horaires de ce jour.",
		"mentor.save_hours": "Enregistrer les horaires", "mentor.calendars": "Calendriers", "mentor.status": "État :", "mentor.last_sync": "dernière synchronisation :",
		"mentor.conflicts": "vérifier les conflits", "mentor.write_target": "y ajouter les séances", "mentor.save": "Enregistrer",
		"mentor.disconnect": "Déconnecter", "mentor.no_calendars": "Aucun calendrier connecté.", "mentor.sync": "Synchroniser maintenant",
		"mentor.caldav": "Connecter un calendrier CalDAV", "mentor.caldav_url": "Adresse du serveur ou du calendrier",
		"mentor.username": "Nom d'utilisateur", "mentor.password": "Mot de passe (un mot de passe d'application si votre fournisseur en propose)",
		"mentor.connect": "Connecter", "mentor.google": "Connecter Google Agenda",

		"weekday.monday": "Lundi", "weekday.tuesday": "Mardi", "weekday.wednesday": "Mercredi", "weekday.thursday": "Jeudi",
		"weekday.friday": "Vendredi", "weekday.saturday": "Samedi", "weekday.sunday": "Dimanche",
	},
}
