//! The reference's verified frames (reference/scale-protocols.md §6), byte-exact, without CR LF:
//! real captures and normalised manual samples whose checksums were re-computed. For tests,
//! benches, the crash harness and anyone checking a decoder against known-good bytes.
//!
//! Deliberately not here: negative fixtures and checksum code — tests build those themselves so
//! the oracle stays independent of the crate.

/// F1 MC-780A real capture, body-composition mode (1,271 bytes; 1,273 with CR LF).
pub const F1: &[u8] =
    b"{0,16,~0,1,~1,1,~2,1,MO,\"MC-780\",ID,\"0000000000000000\",St,0,CC,\"00000000000\
    00000\",DT,\"2026/06/03\",TI,\"15:00\",Bt,5,GE,1,AG,47,Hm,175.5,Pt,0.0,Wk,67.6,F\
    W,18.3,fW,12.4,MW,55.2,mW,52.3,sW,0,bW,2.9,wW,38.2,ww,56.5,MI,21.9,Sf,18.0,IF,9,\
    LP,102,rB,1514,rJ,11,BA,0,BF,0,Ap,55,gF,0,gW,0.0,gf,0.0,gt,0.0,FR,16.3,fR,2.1,MR\
    ,10.9,mR,10.3,SR,-1,sR,0,FL,16.9,fL,2.2,ML,10.8,mL,10.2,SL,0,sL,0,Fr,13.9,fr,0.5\
    ,Mr,2.9,mr,2.7,Sr,0,sr,0,Fl,15.4,fl,0.5,Ml,2.8,ml,2.6,Sl,0,sl,-1,FT,20.3,fT,7.1,\
    MT,27.8,mT,26.5,ST,0,sT,-2,aH,0.0,cH,0.0,GH,665.2,HH,-29.2,RH,586.1,XH,-61.5,JH,\
    523.8,KH,-54.6,LH,0.0,QH,0.0,iH,0.0,jH,0.0,aR,0.0,cR,0.0,GR,256.1,HR,-10.8,RR,22\
    5.8,XR,-22.0,JR,205.1,KR,-16.4,LR,0.0,QR,0.0,iR,0.0,jR,0.0,aL,0.0,cL,0.0,GL,270.\
    1,HL,-12.4,RL,236.4,XL,-23.9,JL,213.9,KL,-17.6,LL,0.0,QL,0.0,iL,0.0,jL,0.0,ar,0.\
    0,cr,0.0,Gr,360.1,Hr,-14.6,Rr,317.2,Xr,-36.6,Jr,277.0,Kr,-38.1,Lr,0.0,Qr,0.0,ir,\
    0.0,jr,0.0,al,0.0,cl,0.0,Gl,368.6,Hl,-15.0,Rl,326.0,Xl,-35.3,Jl,287.4,Kl,-35.6,L\
    l,0.0,Ql,0.0,il,0.0,jl,0.0,aF,0.0,cF,0.0,GF,529.4,HF,-24.6,RF,464.9,XF,-47.3,JF,\
    418.8,KF,-36.0,LF,0.0,QF,0.0,iF,0.0,jF,0.0,aM,0.0,cM,0.0,GM,643.8,HM,-28.3,RM,56\
    5.9,XM,-61.0,JM,504.4,KM,-56.4,LM,0.0,QM,0.0,iM,0.0,jM,0.0,pH,-6.0,pR,-5.6,pL,-5\
    .8,pr,-6.6,pl,-6.2,pF,-5.8,pM,-6.2,mh,16.98,mb,0.77,ah,8.38,ab,0.38,AS,25.8,CS,2\
    4";

/// F2 MC-780A scale mode.
pub const F2: &[u8] =
    b"{0,16,~0,1,MO,\"MC-780\",ID,\"0000000000000000\",DT,\"2026/06/03\",TI,\"15:22\",\
    Pt,0.0,Wk,67.8,CS,57";

/// F5 SC-240 manual sample, normalised.
pub const F5: &[u8] =
    b"{0,16,~0,1,~1,1,~2,1,MO,\"SC-240\",SN,\"00000002\",Bt,0,GE,1,AG,30,Hm,170,Pt,0.0\
    ,Wk,82.7,FW,18.6,fW,15.4,MW,67.3,mW,64.0,sW,19,bW,3.3,wW,48.0,ww,58.0,MI,28.6,Sw\
    ,63.6,OV,30.0,IF,6,rb,8255,rB,1973,rJ,12,rA,28,ZF,369.4,CS,FD";

/// F6 PW-650 manual sample, normalised.
pub const F6: &[u8] =
    b"{0,16,~0,1,MO,\"PW-650\",Da,\"30/04/2020\",TI,\"20:02\",Wk,58.1,Pt,2.0,Ta,0.0,CS\
    ,D6";

/// F7 BH-100 height rod.
pub const F7: &[u8] = b"{0,16,~1,1,MO,\"BH-100\",DT,\"2019/04/06\",TI,\"13:06\",Hm,158.9,CS,99";

/// F8 BC-601 SD-card line, metric, no trailing `}`.
pub const F8: &[u8] =
    b"{0,16,~0,2,~1,2,~2,3,~3,4,MO,\"BC-601\",DT,\"07/02/2024\",Ti,\"12:32:26\",Bt,0,G\
    E,2,AG,23,Hm,166.0,AL,1,Wk,57.2,MI,20.8,FW,28.4,Fr,16.5,Fl,30.8,FR,32.5,FL,30.9,\
    FT,27.0,mW,38.9,mr,2.2,ml,1.7,mR,6.7,mL,6.7,mT,21.6,bW,2.1,IF,1,rD,2001,rA,22,ww\
    ,52.9,CS,A4";

/// BC-601 SD-card line, metric, with the trailing `}` (reference §0 item 8).
pub const BC601_METRIC: &[u8] =
    b"{0,16,~0,2,~1,2,~2,3,~3,4,MO,\"BC-601\",DT,\"12/01/2016\",Ti,\"23:48:53\",Bt,2,G\
    E,1,AG,26,Hm,185.0,AL,3,Wk,96.1,MI,28.1,FW,18.9,Fr,12.6,Fl,13.3,FR,17.8,FL,18.6,\
    FT,20.8,mW,74.1,mr,5.1,ml,5.2,mR,12.5,mL,12.3,mT,39.0,bW,3.8,IF,5,rD,4871,rA,25,\
    ww,58.9,CS,30}";

/// BC-601 SD-card line, imperial (`~0,3`: lb and inches), with the trailing `}`.
pub const BC601_IMPERIAL: &[u8] =
    b"{0,16,~0,3,~1,3,~2,3,~3,4,MO,\"BC-601\",DT,\"10/05/2016\",Ti,\"06:06:57\",Bt,2,G\
    E,1,AG,27,Hm,73.0,AL,3,Wk,206.2,MI,27.3,FW,19.4,Fr,12.1,Fl,12.3,FR,18.3,FL,19.1,\
    FT,21.5,mW,158.0,mr,10.8,ml,11.2,mR,26.2,mL,25.8,mT,84.0,bW,8.2,IF,5,rD,4698,rA,\
    28,ww,58.1,CS,B5}";

/// Every positive fixture with its name.
pub const ALL: [(&str, &[u8]); 8] = [
    ("F1", F1),
    ("F2", F2),
    ("F5", F5),
    ("F6", F6),
    ("F7", F7),
    ("F8", F8),
    ("BC601_METRIC", BC601_METRIC),
    ("BC601_IMPERIAL", BC601_IMPERIAL),
];
