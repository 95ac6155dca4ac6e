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

/* The pms request of docs/sundaya.md (generation A, one pack), as a PMS publishes it. */
#define PMS_SPEC_REQUEST                                                                                           \
	"{\"datasets\":[{\"pms\":{\"id\":\"PMS-02-007\",\"temp\":38.5},\"data\":[{\"time_local\":"                  \
	"\"20200315T101500.000+0700\",\"pack\":{\"id\":\"P7-01\",\"dock\":5,\"amps\":10,\"temp\":[27.5,27.1,26.8],"   \
	"\"cell\":{\"volts\":[3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.25,3.28125,3.25,3.25,3.25,3.25,3.25],"            \
	"\"open\":[9]},\"fet\":{\"temp\":[29.4,28.7],\"open\":[1]},\"status\":\"1A78\"}}]}]}"

/* Its translation, up to the value of time_processing. */
#define PMS_SPEC_MESSAGE_HEAD                                                                                      \
	"{\"pms_id\":\"PMS-02-007\",\"pack_id\":\"P7-01\",\"pack\":{\"volts\":45.5313,\"amps\":10,\"watts\":455.313," \
	"\"vcl\":3.25,\"vch\":3.28125,\"dock\":5,\"temp_top\":27.5,\"temp_mid\":27.1,\"temp_bottom\":26.8},"         \
	"\"cell\":[{\"volts\":3.25,\"dvcl\":0,\"open\":false},{\"volts\":3.25,\"dvcl\":0,\"open\":false},"           \
	"{\"volts\":3.25,\"dvcl\":0,\"open\":false},{\"volts\":3.25,\"dvcl\":0,\"open\":false},"                     \
	"{\"volts\":3.25,\"dvcl\":0,\"open\":false},{\"volts\":3.25,\"dvcl\":0,\"open\":false},"                     \
	"{\"volts\":3.25,\"dvcl\":0,\"open\":false},{\"volts\":3.25,\"dvcl\":0,\"open\":false},"                     \
	"{\"volts\":3.28125,\"dvcl\":31,\"open\":true},{\"volts\":3.25,\"dvcl\":0,\"open\":false},"                  \
	"{\"volts\":3.25,\"dvcl\":0,\"open\":false},{\"volts\":3.25,\"dvcl\":0,\"open\":false},"                     \
	"{\"volts\":3.25,\"dvcl\":0,\"open\":false},{\"volts\":3.25,\"dvcl\":0,\"open\":false}],"                    \
	"\"fet\":[{\"open\":true,\"temp\":29.4},{\"open\":false,\"temp\":28.7}],"                                     \
	"\"status\":{\"bus_connect\":false,\"temp\":38.5},\"sender\":\"S001\","                                       \
	"\"time_event\":\"2020-03-15 03:15:00.0000\",\"time_zone\":\"+07:00\",\"time_processing\":\""

/* The same pack sample as CSV (generation B column names): it translates to the same message. */
#define PMS_SPEC_CSV                                                                                               \
	"pms_id,status.code,status.temp,time_local,pack.id,pack.dock,pack.amps,pack.temp.1,pack.temp.2,pack.temp.3,"  \
	"cell.volts.1,cell.volts.2,cell.volts.3,cell.volts.4,cell.volts.5,cell.volts.6,cell.volts.7,cell.volts.8,"   \
	"cell.volts.9,cell.volts.10,cell.volts.11,cell.volts.12,cell.volts.13,cell.volts.14,cell.open.1,"            \
	"cell.open.2,cell.open.3,cell.open.4,cell.open.5,cell.open.6,cell.open.7,cell.open.8,cell.open.9,"            \
	"cell.open.10,cell.open.11,cell.open.12,cell.open.13,cell.open.14,fet.open.1,fet.open.2,fet.temp.1,"          \
	"fet.temp.2\r\n"                                                                                            \
	"PMS-02-007,1A78,38.5,20200315T101500.000+0700,P7-01,5,10,27.5,27.1,26.8,3.25,3.25,3.25,3.25,3.25,3.25,"     \
	"3.25,3.25,3.28125,3.25,3.25,3.25,3.25,3.25,0,0,0,0,0,0,0,0,1,,0,0,0,0,1,0,29.4,28.7\r\n"

/* The inverter request of docs/sundaya.md (generation A, three phases). */
#define INVERTER_SPEC_REQUEST                                                                                      \
	"{\"datasets\":[{\"inverter\":{\"id\":\"KEHUA-3P-07\"},\"data\":[{\"time_local\":"                           \
	"\"20200315T101500.000+0700\",\"pv\":{\"volts\":[310.5,308.2,312.1,309.7],\"amps\":[8.4,8.1,8.6,8.2]},"       \
	"\"battery\":{\"volts\":51.8,\"amps\":20.5},\"load\":{\"volts\":[230.4,229.9],\"amps\":[5.2,3.75]},"          \
	"\"grid\":{\"volts\":[400.2,399.1,401.5],\"amps\":[12.4,12.1,11.8],\"pf\":[0.92,0.9,0.88]},"                  \
	"\"status\":\"2C87\"}]}]}"

/* Its translation, up to the value of time_processing. */
#define INVERTER_SPEC_MESSAGE_HEAD                                                                                 \
	"{\"inverter_id\":\"KEHUA-3P-07\",\"pv\":[{\"volts\":310.5,\"amps\":8.4,\"watts\":2608.2},"                  \
	"{\"volts\":308.2,\"amps\":8.1,\"watts\":2496.42},{\"volts\":312.1,\"amps\":8.6,\"watts\":2684.06},"         \
	"{\"volts\":309.7,\"amps\":8.2,\"watts\":2539.54}],\"battery\":{\"volts\":51.8,\"amps\":20.5,"              \
	"\"watts\":1061.9},\"load\":[{\"volts\":230.4,\"amps\":5.2,\"watts\":1198.08},{\"volts\":229.9,"             \
	"\"amps\":3.75,\"watts\":862.125}],\"grid\":[{\"volts\":400.2,\"amps\":12.4,\"pf\":0.92,"                   \
	"\"watts\":7907.6461},{\"volts\":399.1,\"amps\":12.1,\"pf\":0.9,\"watts\":7527.8375},{\"volts\":401.5,"       \
	"\"amps\":11.8,\"pf\":0.88,\"watts\":7221.2247}],\"status\":{\"bus_connect\":true},\"sender\":\"S001\","    \
	"\"time_event\":\"2020-03-15 03:15:00.0000\",\"time_zone\":\"+07:00\",\"time_processing\":\""

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
