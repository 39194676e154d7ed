package googlefake

import (
	"encoding/json"
	"net/http"
)

// errorItem and apiError are Google's JSON error format:
// {"error":{"errors":[{"domain","reason","message"}],"code","message"}}.
type errorItem struct {
	Domain       string `json:"domain"`
	Reason       string `json:"reason"`
	Message      string `json:"message"`
	LocationType string `json:"locationType,omitempty"`
	Location     string `json:"location,omitempty"`
}

type apiError struct {
	Error struct {
		Errors  []errorItem `json:"errors"`
		Code    int         `json:"code"`
		Message string      `json:"message"`
	} `json:"error"`
}

func writeAPIError(w http.ResponseWriter, status int, reason, message string) {
	writeAPIErrorItem(w, status, errorItem{Domain: "global", Reason: reason, Message: message})
}

func writeAPIErrorItem(w http.ResponseWriter, status int, item errorItem) {
	var body apiError
	body.Error.Errors = []errorItem{item}
	body.Error.Code = status
	body.Error.Message = item.Message
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Messages Google uses for the errors the fake produces.
const (
	msgFullSyncRequired = "Sync token is no longer valid, a full sync is required."
	msgDeleted          = "Resource has been deleted"
	msgDuplicate        = "The requested identifier already exists."
	msgBadSequence      = "Invalid sequence value. The specified sequence number is below the current sequence number of the resource."
)
