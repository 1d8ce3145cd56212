package sdk

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Device is one of the user's devices.
type Device struct {
	ID        uint64
	Name      string
	Created   time.Time
	Updated   time.Time
	IsCurrent bool // the device making the call
}

// DeviceList lists the user's devices, sorted by ID (GET
// users/{userId}/devices). Phase: http:device_list.
func (s *SDK) DeviceList(ctx context.Context) ([]Device, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	data, err := s.do(ctx, "device_list", http.MethodGet, "users/"+iclEncode(s.dc.AccountID)+"/devices", "", nil)
	if err != nil {
		return nil, err
	}
	var r struct {
		Result []deviceResp `json:"result"`
	}
	if err := decode("device_list", data, &r); err != nil {
		return nil, err
	}
	out := make([]Device, len(r.Result))
	for i, d := range r.Result {
		out[i] = Device{ID: d.ID, Name: derefString(d.Name), Created: d.Created, Updated: d.Updated, IsCurrent: d.IsCurrent}
	}
	slices.SortFunc(out, func(a, b Device) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out, nil
}

// DeviceDelete deletes device id of the user, or the calling device when
// id is 0 (DELETE users/{userId}/devices/{id|current}, body null), and
// returns the deleted device's ID. Phase: http:device_delete.
func (s *SDK) DeviceDelete(ctx context.Context, id uint64) (uint64, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	which := "current"
	if id != 0 {
		which = strconv.FormatUint(id, 10)
	}
	data, err := s.do(ctx, "device_delete", http.MethodDelete, "users/"+iclEncode(s.dc.AccountID)+"/devices/"+which, "", []byte("null"))
	if err != nil {
		return 0, err
	}
	var r struct {
		ID uint64 `json:"id"`
	}
	if err := decode("device_delete", data, &r); err != nil {
		return 0, err
	}
	return r.ID, nil
}
