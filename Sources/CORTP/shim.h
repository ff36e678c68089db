// oRTP globals and macros, returned through functions so Swift 6 can use them safely.
#ifndef CCENGINE_CORTP_SHIM_H
#define CCENGINE_CORTP_SHIM_H
#include <ortp/ortp.h>
#include <ortp/telephonyevents.h>
#include <bctoolbox/logging.h>

static inline RtpProfile *cc_av_profile(void) { return &av_profile; }
static inline void cc_ortp_quiet(void) { bctbx_set_log_level_mask(NULL, BCTBX_LOG_FATAL); }
/* RFC 4733 telephone-event on payload type 101 in the shared A/V profile (as the phones' SDP says). */
static inline void cc_ortp_enable_telephone_event(void) { rtp_profile_set_payload(&av_profile, 101, &payload_type_telephone_event); }
static inline uint32_t cc_mblk_payload_len(mblk_t *m) {
    unsigned char *payload = NULL;
    int n = rtp_get_payload(m, &payload);
    return n < 0 ? 0 : (uint32_t)n;
}
static inline int cc_mblk_payload_type(mblk_t *m) { return rtp_get_payload_type(m); }
static inline unsigned char *cc_mblk_payload(mblk_t *m) {
    unsigned char *payload = NULL;
    rtp_get_payload(m, &payload);
    return payload;
}
#endif
