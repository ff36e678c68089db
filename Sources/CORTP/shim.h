// oRTP globals and macros, returned through functions so Swift 6 can use them safely.
#ifndef CCENGINE_CORTP_SHIM_H
#define CCENGINE_CORTP_SHIM_H
#include <ortp/ortp.h>
#include <bctoolbox/logging.h>

static inline RtpProfile *cc_av_profile(void) { return &av_profile; }
static inline void cc_ortp_quiet(void) { bctbx_set_log_level_mask(NULL, BCTBX_LOG_FATAL); }
static inline uint32_t cc_mblk_payload_len(mblk_t *m) {
    unsigned char *payload = NULL;
    int n = rtp_get_payload(m, &payload);
    return n < 0 ? 0 : (uint32_t)n;
}
static inline unsigned char *cc_mblk_payload(mblk_t *m) {
    unsigned char *payload = NULL;
    rtp_get_payload(m, &payload);
    return payload;
}
#endif
