/*
 * The examples of the vendor document and the spec pages that several tests
 * use, written once so that every test checks against the same text.
 */
#ifndef SPEC_EXAMPLES_H
#define SPEC_EXAMPLES_H

/*
 * The MPPT example of docs/mppt.md ("Worked example"), from the
 * files in spec/ that the package test publishes and compares too:
 * MPPT_SPEC_REQUEST, as a data logger publishes it, and MPPT_SPEC_MESSAGE, its
 * translation for user S001 when the broker's clock reads 2026-11-22
 * 02:49:41.9235 UTC (MPPT_SPEC_TIME_PROCESSING_S and _NS).
 */
#include "mppt_example.h"
#define MPPT_SPEC_TIME_PROCESSING_S 1795315781
#define MPPT_SPEC_TIME_PROCESSING_NS 923500000
/* Where the broker's clock starts in MPPT_SPEC_MESSAGE: what comes before it does not depend on the clock. */
#define MPPT_SPEC_TIME_PROCESSING_KEY "\"time_processing\":\""

/* The Venus device information reply (docs/venus.md, "Replies"), as the battery sends it. */
#define VENUS_REPLY_SAMPLE                                                                                         \
	"tot_i=44785,tot_o=36889,ele_d=489,ele_m=3931,grd_d=395,grd_m=2833,inc_d=0,inc_m=-111,grd_f=0,grd_o=807,"  \
	"grd_t=3,gct_s=1,cel_s=3,cel_p=138,cel_c=27,err_t=0,err_a=0,dev_n=140,grd_y=0,wor_m=1,"                    \
	"tim_0=14|0|17|0|127|800|1,tim_1=17|1|20|0|127|-800|1,tim_2=20|1|23|0|127|800|1,"                         \
	"tim_3=23|1|23|59|127|-800|1,tim_4=0|1|3|0|127|800|1,tim_5=3|1|6|0|127|-800|1,tim_6=6|1|9|0|127|800|1,"   \
	"tim_7=9|1|12|1|127|-800|1,tim_8=9|10|12|0|127|-2500|0,tim_9=0|0|0|0|0|0|0,cts_m=0,bac_u=1,tra_a=41,"     \
	"tra_i=40000,tra_o=600000,htt_p=0,prc_c=4620,prc_d=4620,wif_s=35,inc_a=-152,set_v=1,mcp_w=2500,"          \
	"mdp_w=800,ct_t=1,phase_t=0,dchrg_t=255,bms_v=109,fc_v=202407221950,wifi_n=Hame"

/* A B2500 second-generation runtime reply as recorded from a device (docs/venus.md, "B2500"). */
#define B2500_REPLY_SAMPLE                                                                                         \
	"p1=0,p2=0,w1=0,w2=0,pe=14,vv=224,sv=3,cs=0,cd=0,am=0,o1=0,o2=0,do=90,lv=800,cj=1,kn=313,g1=0,g2=0,b1=0,"   \
	"b2=0,md=0,d1=1,e1=0:0,f1=23:59,h1=800,d2=0,e2=0:0,f2=23:59,h2=200,d3=0,e3=0:0,f3=23:59,h3=800,sg=0,sp=80,"  \
	"st=0,tl=12,th=13,tc=0,tf=0,fc=202310231502,id=5,a0=14,a1=0,a2=0,l0=0,l1=0,c0=255,c1=4,bc=622,bs=512,"      \
	"pt=1552,it=1332,m0=0,m1=0,m2=0,m3=0,d4=0,e4=2:0,f4=23:59,h4=50,d5=0,e5=0:0,f5=23:59,h5=347,lmo=1377,"       \
	"lmi=614,lmf=0,uv=10"

#endif
