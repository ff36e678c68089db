#ifndef CCENGINE_CPCAP_SHIM_H
#define CCENGINE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
