FROM busybox:latest AS s0
ARG V0=v0
ENV A0=${V0} B0=b0
WORKDIR /w0
COPY f0.txt ./
USER root
RUN --mount=type=cache,target=/c echo 0 $A0 > /out
LABEL stage0="$A0"
EXPOSE 8000
FROM busybox:latest AS s1
ARG V1=v1
ENV A1=${V1} B1=b1
WORKDIR /w1
COPY f1.txt ./
COPY --from=s0 /out ./parent
RUN --mount=type=cache,target=/c echo 1 $A1 > /out
LABEL stage1="$A1"
EXPOSE 8001
FROM busybox:latest AS s2
ARG V2=v2
ENV A2=${V2} B2=b2
WORKDIR /w2
COPY f2.txt ./
COPY --from=s0 /out ./parent
RUN --mount=type=cache,target=/c echo 2 $A2 > /out
LABEL stage2="$A2"
EXPOSE 8002
FROM busybox:latest AS s3
ARG V3=v3
ENV A3=${V3} B3=b3
WORKDIR /w3
COPY f3.txt ./
COPY --from=s1 /out ./parent
RUN --mount=type=cache,target=/c echo 3 $A3 > /out
LABEL stage3="$A3"
EXPOSE 8003
FROM busybox:latest AS s4
ARG V4=v4
ENV A4=${V4} B4=b4
WORKDIR /w4
COPY f4.txt ./
COPY --from=s1 /out ./parent
RUN --mount=type=cache,target=/c echo 4 $A4 > /out
LABEL stage4="$A4"
EXPOSE 8004
FROM busybox:latest AS s5
ARG V5=v5
ENV A5=${V5} B5=b5
WORKDIR /w5
COPY f5.txt ./
COPY --from=s2 /out ./parent
RUN --mount=type=cache,target=/c echo 5 $A5 > /out
LABEL stage5="$A5"
EXPOSE 8005
FROM busybox:latest AS s6
ARG V6=v6
ENV A6=${V6} B6=b6
WORKDIR /w6
COPY f6.txt ./
COPY --from=s2 /out ./parent
RUN --mount=type=cache,target=/c echo 6 $A6 > /out
LABEL stage6="$A6"
EXPOSE 8006
FROM busybox:latest AS s7
ARG V7=v7
ENV A7=${V7} B7=b7
WORKDIR /w7
COPY f7.txt ./
COPY --from=s3 /out ./parent
RUN --mount=type=cache,target=/c echo 7 $A7 > /out
LABEL stage7="$A7"
EXPOSE 8007
FROM busybox:latest AS s8
ARG V8=v8
ENV A8=${V8} B8=b8
WORKDIR /w8
COPY f8.txt ./
COPY --from=s3 /out ./parent
RUN --mount=type=cache,target=/c echo 8 $A8 > /out
LABEL stage8="$A8"
EXPOSE 8008
FROM busybox:latest AS s9
ARG V9=v9
ENV A9=${V9} B9=b9
WORKDIR /w9
COPY f9.txt ./
COPY --from=s4 /out ./parent
RUN --mount=type=cache,target=/c echo 9 $A9 > /out
LABEL stage9="$A9"
EXPOSE 8009
FROM busybox:latest AS s10
ARG V10=v10
ENV A10=${V10} B10=b10
WORKDIR /w10
COPY f0.txt ./
COPY --from=s4 /out ./parent
RUN --mount=type=cache,target=/c echo 10 $A10 > /out
LABEL stage10="$A10"
EXPOSE 8010
FROM busybox:latest AS s11
ARG V11=v11
ENV A11=${V11} B11=b11
WORKDIR /w11
COPY f1.txt ./
COPY --from=s5 /out ./parent
RUN --mount=type=cache,target=/c echo 11 $A11 > /out
LABEL stage11="$A11"
EXPOSE 8011
FROM busybox:latest AS s12
ARG V12=v12
ENV A12=${V12} B12=b12
WORKDIR /w12
COPY f2.txt ./
COPY --from=s5 /out ./parent
RUN --mount=type=cache,target=/c echo 12 $A12 > /out
LABEL stage12="$A12"
EXPOSE 8012
FROM busybox:latest AS s13
ARG V13=v13
ENV A13=${V13} B13=b13
WORKDIR /w13
COPY f3.txt ./
COPY --from=s6 /out ./parent
RUN --mount=type=cache,target=/c echo 13 $A13 > /out
LABEL stage13="$A13"
EXPOSE 8013
FROM busybox:latest AS s14
ARG V14=v14
ENV A14=${V14} B14=b14
WORKDIR /w14
COPY f4.txt ./
COPY --from=s6 /out ./parent
RUN --mount=type=cache,target=/c echo 14 $A14 > /out
LABEL stage14="$A14"
EXPOSE 8014
FROM busybox:latest AS s15
ARG V15=v15
ENV A15=${V15} B15=b15
WORKDIR /w15
COPY f5.txt ./
COPY --from=s7 /out ./parent
RUN --mount=type=cache,target=/c echo 15 $A15 > /out
LABEL stage15="$A15"
EXPOSE 8015
FROM busybox:latest AS s16
ARG V16=v16
ENV A16=${V16} B16=b16
WORKDIR /w16
COPY f6.txt ./
COPY --from=s7 /out ./parent
RUN --mount=type=cache,target=/c echo 16 $A16 > /out
LABEL stage16="$A16"
EXPOSE 8016
FROM busybox:latest AS s17
ARG V17=v17
ENV A17=${V17} B17=b17
WORKDIR /w17
COPY f7.txt ./
COPY --from=s8 /out ./parent
RUN --mount=type=cache,target=/c echo 17 $A17 > /out
LABEL stage17="$A17"
EXPOSE 8017
FROM busybox:latest AS s18
ARG V18=v18
ENV A18=${V18} B18=b18
WORKDIR /w18
COPY f8.txt ./
COPY --from=s8 /out ./parent
RUN --mount=type=cache,target=/c echo 18 $A18 > /out
LABEL stage18="$A18"
EXPOSE 8018
FROM busybox:latest AS s19
ARG V19=v19
ENV A19=${V19} B19=b19
WORKDIR /w19
COPY f9.txt ./
COPY --from=s9 /out ./parent
RUN --mount=type=cache,target=/c echo 19 $A19 > /out
LABEL stage19="$A19"
EXPOSE 8019
FROM busybox:latest AS s20
ARG V20=v20
ENV A20=${V20} B20=b20
WORKDIR /w20
COPY f0.txt ./
COPY --from=s9 /out ./parent
RUN --mount=type=cache,target=/c echo 20 $A20 > /out
LABEL stage20="$A20"
EXPOSE 8020
FROM busybox:latest AS s21
ARG V21=v21
ENV A21=${V21} B21=b21
WORKDIR /w21
COPY f1.txt ./
COPY --from=s10 /out ./parent
RUN --mount=type=cache,target=/c echo 21 $A21 > /out
LABEL stage21="$A21"
EXPOSE 8021
FROM busybox:latest AS s22
ARG V22=v22
ENV A22=${V22} B22=b22
WORKDIR /w22
COPY f2.txt ./
COPY --from=s10 /out ./parent
RUN --mount=type=cache,target=/c echo 22 $A22 > /out
LABEL stage22="$A22"
EXPOSE 8022
FROM busybox:latest AS s23
ARG V23=v23
ENV A23=${V23} B23=b23
WORKDIR /w23
COPY f3.txt ./
COPY --from=s11 /out ./parent
RUN --mount=type=cache,target=/c echo 23 $A23 > /out
LABEL stage23="$A23"
EXPOSE 8023
FROM busybox:latest AS s24
ARG V24=v24
ENV A24=${V24} B24=b24
WORKDIR /w24
COPY f4.txt ./
COPY --from=s11 /out ./parent
RUN --mount=type=cache,target=/c echo 24 $A24 > /out
LABEL stage24="$A24"
EXPOSE 8024
FROM busybox:latest AS s25
ARG V25=v25
ENV A25=${V25} B25=b25
WORKDIR /w25
COPY f5.txt ./
COPY --from=s12 /out ./parent
RUN --mount=type=cache,target=/c echo 25 $A25 > /out
LABEL stage25="$A25"
EXPOSE 8025
FROM busybox:latest AS s26
ARG V26=v26
ENV A26=${V26} B26=b26
WORKDIR /w26
COPY f6.txt ./
COPY --from=s12 /out ./parent
RUN --mount=type=cache,target=/c echo 26 $A26 > /out
LABEL stage26="$A26"
EXPOSE 8026
FROM busybox:latest AS s27
ARG V27=v27
ENV A27=${V27} B27=b27
WORKDIR /w27
COPY f7.txt ./
COPY --from=s13 /out ./parent
RUN --mount=type=cache,target=/c echo 27 $A27 > /out
LABEL stage27="$A27"
EXPOSE 8027
FROM busybox:latest AS s28
ARG V28=v28
ENV A28=${V28} B28=b28
WORKDIR /w28
COPY f8.txt ./
COPY --from=s13 /out ./parent
RUN --mount=type=cache,target=/c echo 28 $A28 > /out
LABEL stage28="$A28"
EXPOSE 8028
FROM busybox:latest AS s29
ARG V29=v29
ENV A29=${V29} B29=b29
WORKDIR /w29
COPY f9.txt ./
COPY --from=s14 /out ./parent
RUN --mount=type=cache,target=/c echo 29 $A29 > /out
LABEL stage29="$A29"
EXPOSE 8029
FROM busybox:latest AS s30
ARG V30=v30
ENV A30=${V30} B30=b30
WORKDIR /w30
COPY f0.txt ./
COPY --from=s14 /out ./parent
RUN --mount=type=cache,target=/c echo 30 $A30 > /out
LABEL stage30="$A30"
EXPOSE 8030
FROM busybox:latest AS s31
ARG V31=v31
ENV A31=${V31} B31=b31
WORKDIR /w31
COPY f1.txt ./
COPY --from=s15 /out ./parent
RUN --mount=type=cache,target=/c echo 31 $A31 > /out
LABEL stage31="$A31"
EXPOSE 8031
FROM busybox:latest AS s32
ARG V32=v32
ENV A32=${V32} B32=b32
WORKDIR /w32
COPY f2.txt ./
COPY --from=s15 /out ./parent
RUN --mount=type=cache,target=/c echo 32 $A32 > /out
LABEL stage32="$A32"
EXPOSE 8032
FROM busybox:latest AS s33
ARG V33=v33
ENV A33=${V33} B33=b33
WORKDIR /w33
COPY f3.txt ./
COPY --from=s16 /out ./parent
RUN --mount=type=cache,target=/c echo 33 $A33 > /out
LABEL stage33="$A33"
EXPOSE 8033
FROM busybox:latest AS s34
ARG V34=v34
ENV A34=${V34} B34=b34
WORKDIR /w34
COPY f4.txt ./
COPY --from=s16 /out ./parent
RUN --mount=type=cache,target=/c echo 34 $A34 > /out
LABEL stage34="$A34"
EXPOSE 8034
FROM busybox:latest AS s35
ARG V35=v35
ENV A35=${V35} B35=b35
WORKDIR /w35
COPY f5.txt ./
COPY --from=s17 /out ./parent
RUN --mount=type=cache,target=/c echo 35 $A35 > /out
LABEL stage35="$A35"
EXPOSE 8035
FROM busybox:latest AS s36
ARG V36=v36
ENV A36=${V36} B36=b36
WORKDIR /w36
COPY f6.txt ./
COPY --from=s17 /out ./parent
RUN --mount=type=cache,target=/c echo 36 $A36 > /out
LABEL stage36="$A36"
EXPOSE 8036
FROM busybox:latest AS s37
ARG V37=v37
ENV A37=${V37} B37=b37
WORKDIR /w37
COPY f7.txt ./
COPY --from=s18 /out ./parent
RUN --mount=type=cache,target=/c echo 37 $A37 > /out
LABEL stage37="$A37"
EXPOSE 8037
FROM busybox:latest AS s38
ARG V38=v38
ENV A38=${V38} B38=b38
WORKDIR /w38
COPY f8.txt ./
COPY --from=s18 /out ./parent
RUN --mount=type=cache,target=/c echo 38 $A38 > /out
LABEL stage38="$A38"
EXPOSE 8038
FROM busybox:latest AS s39
ARG V39=v39
ENV A39=${V39} B39=b39
WORKDIR /w39
COPY f9.txt ./
COPY --from=s19 /out ./parent
RUN --mount=type=cache,target=/c echo 39 $A39 > /out
LABEL stage39="$A39"
EXPOSE 8039
FROM busybox:latest AS s40
ARG V40=v40
ENV A40=${V40} B40=b40
WORKDIR /w40
COPY f0.txt ./
COPY --from=s19 /out ./parent
RUN --mount=type=cache,target=/c echo 40 $A40 > /out
LABEL stage40="$A40"
EXPOSE 8040
FROM busybox:latest AS s41
ARG V41=v41
ENV A41=${V41} B41=b41
WORKDIR /w41
COPY f1.txt ./
COPY --from=s20 /out ./parent
RUN --mount=type=cache,target=/c echo 41 $A41 > /out
LABEL stage41="$A41"
EXPOSE 8041
FROM busybox:latest AS s42
ARG V42=v42
ENV A42=${V42} B42=b42
WORKDIR /w42
COPY f2.txt ./
COPY --from=s20 /out ./parent
RUN --mount=type=cache,target=/c echo 42 $A42 > /out
LABEL stage42="$A42"
EXPOSE 8042
FROM busybox:latest AS s43
ARG V43=v43
ENV A43=${V43} B43=b43
WORKDIR /w43
COPY f3.txt ./
COPY --from=s21 /out ./parent
RUN --mount=type=cache,target=/c echo 43 $A43 > /out
LABEL stage43="$A43"
EXPOSE 8043
FROM busybox:latest AS s44
ARG V44=v44
ENV A44=${V44} B44=b44
WORKDIR /w44
COPY f4.txt ./
COPY --from=s21 /out ./parent
RUN --mount=type=cache,target=/c echo 44 $A44 > /out
LABEL stage44="$A44"
EXPOSE 8044
FROM busybox:latest AS s45
ARG V45=v45
ENV A45=${V45} B45=b45
WORKDIR /w45
COPY f5.txt ./
COPY --from=s22 /out ./parent
RUN --mount=type=cache,target=/c echo 45 $A45 > /out
LABEL stage45="$A45"
EXPOSE 8045
FROM busybox:latest AS s46
ARG V46=v46
ENV A46=${V46} B46=b46
WORKDIR /w46
COPY f6.txt ./
COPY --from=s22 /out ./parent
RUN --mount=type=cache,target=/c echo 46 $A46 > /out
LABEL stage46="$A46"
EXPOSE 8046
FROM busybox:latest AS s47
ARG V47=v47
ENV A47=${V47} B47=b47
WORKDIR /w47
COPY f7.txt ./
COPY --from=s23 /out ./parent
RUN --mount=type=cache,target=/c echo 47 $A47 > /out
LABEL stage47="$A47"
EXPOSE 8047
FROM busybox:latest AS s48
ARG V48=v48
ENV A48=${V48} B48=b48
WORKDIR /w48
COPY f8.txt ./
COPY --from=s23 /out ./parent
RUN --mount=type=cache,target=/c echo 48 $A48 > /out
LABEL stage48="$A48"
EXPOSE 8048
FROM busybox:latest AS s49
ARG V49=v49
ENV A49=${V49} B49=b49
WORKDIR /w49
COPY f9.txt ./
COPY --from=s24 /out ./parent
RUN --mount=type=cache,target=/c echo 49 $A49 > /out
LABEL stage49="$A49"
EXPOSE 8049
FROM busybox:latest AS s50
ARG V50=v50
ENV A50=${V50} B50=b50
WORKDIR /w50
COPY f0.txt ./
COPY --from=s24 /out ./parent
RUN --mount=type=cache,target=/c echo 50 $A50 > /out
LABEL stage50="$A50"
EXPOSE 8050
FROM busybox:latest AS s51
ARG V51=v51
ENV A51=${V51} B51=b51
WORKDIR /w51
COPY f1.txt ./
COPY --from=s25 /out ./parent
RUN --mount=type=cache,target=/c echo 51 $A51 > /out
LABEL stage51="$A51"
EXPOSE 8051
FROM busybox:latest AS s52
ARG V52=v52
ENV A52=${V52} B52=b52
WORKDIR /w52
COPY f2.txt ./
COPY --from=s25 /out ./parent
RUN --mount=type=cache,target=/c echo 52 $A52 > /out
LABEL stage52="$A52"
EXPOSE 8052
FROM busybox:latest AS s53
ARG V53=v53
ENV A53=${V53} B53=b53
WORKDIR /w53
COPY f3.txt ./
COPY --from=s26 /out ./parent
RUN --mount=type=cache,target=/c echo 53 $A53 > /out
LABEL stage53="$A53"
EXPOSE 8053
FROM busybox:latest AS s54
ARG V54=v54
ENV A54=${V54} B54=b54
WORKDIR /w54
COPY f4.txt ./
COPY --from=s26 /out ./parent
RUN --mount=type=cache,target=/c echo 54 $A54 > /out
LABEL stage54="$A54"
EXPOSE 8054
FROM busybox:latest AS s55
ARG V55=v55
ENV A55=${V55} B55=b55
WORKDIR /w55
COPY f5.txt ./
COPY --from=s27 /out ./parent
RUN --mount=type=cache,target=/c echo 55 $A55 > /out
LABEL stage55="$A55"
EXPOSE 8055
FROM busybox:latest AS s56
ARG V56=v56
ENV A56=${V56} B56=b56
WORKDIR /w56
COPY f6.txt ./
COPY --from=s27 /out ./parent
RUN --mount=type=cache,target=/c echo 56 $A56 > /out
LABEL stage56="$A56"
EXPOSE 8056
FROM busybox:latest AS s57
ARG V57=v57
ENV A57=${V57} B57=b57
WORKDIR /w57
COPY f7.txt ./
COPY --from=s28 /out ./parent
RUN --mount=type=cache,target=/c echo 57 $A57 > /out
LABEL stage57="$A57"
EXPOSE 8057
FROM busybox:latest AS s58
ARG V58=v58
ENV A58=${V58} B58=b58
WORKDIR /w58
COPY f8.txt ./
COPY --from=s28 /out ./parent
RUN --mount=type=cache,target=/c echo 58 $A58 > /out
LABEL stage58="$A58"
EXPOSE 8058
FROM busybox:latest AS s59
ARG V59=v59
ENV A59=${V59} B59=b59
WORKDIR /w59
COPY f9.txt ./
COPY --from=s29 /out ./parent
RUN --mount=type=cache,target=/c echo 59 $A59 > /out
LABEL stage59="$A59"
EXPOSE 8059
FROM busybox:latest AS s60
ARG V60=v60
ENV A60=${V60} B60=b60
WORKDIR /w60
COPY f0.txt ./
COPY --from=s29 /out ./parent
RUN --mount=type=cache,target=/c echo 60 $A60 > /out
LABEL stage60="$A60"
EXPOSE 8060
FROM busybox:latest AS s61
ARG V61=v61
ENV A61=${V61} B61=b61
WORKDIR /w61
COPY f1.txt ./
COPY --from=s30 /out ./parent
RUN --mount=type=cache,target=/c echo 61 $A61 > /out
LABEL stage61="$A61"
EXPOSE 8061
FROM busybox:latest AS s62
ARG V62=v62
ENV A62=${V62} B62=b62
WORKDIR /w62
COPY f2.txt ./
COPY --from=s30 /out ./parent
RUN --mount=type=cache,target=/c echo 62 $A62 > /out
LABEL stage62="$A62"
EXPOSE 8062
FROM busybox:latest AS s63
ARG V63=v63
ENV A63=${V63} B63=b63
WORKDIR /w63
COPY f3.txt ./
COPY --from=s31 /out ./parent
RUN --mount=type=cache,target=/c echo 63 $A63 > /out
LABEL stage63="$A63"
EXPOSE 8063
FROM busybox:latest AS s64
ARG V64=v64
ENV A64=${V64} B64=b64
WORKDIR /w64
COPY f4.txt ./
COPY --from=s31 /out ./parent
RUN --mount=type=cache,target=/c echo 64 $A64 > /out
LABEL stage64="$A64"
EXPOSE 8064
FROM busybox:latest AS s65
ARG V65=v65
ENV A65=${V65} B65=b65
WORKDIR /w65
COPY f5.txt ./
COPY --from=s32 /out ./parent
RUN --mount=type=cache,target=/c echo 65 $A65 > /out
LABEL stage65="$A65"
EXPOSE 8065
FROM busybox:latest AS s66
ARG V66=v66
ENV A66=${V66} B66=b66
WORKDIR /w66
COPY f6.txt ./
COPY --from=s32 /out ./parent
RUN --mount=type=cache,target=/c echo 66 $A66 > /out
LABEL stage66="$A66"
EXPOSE 8066
FROM busybox:latest AS s67
ARG V67=v67
ENV A67=${V67} B67=b67
WORKDIR /w67
COPY f7.txt ./
COPY --from=s33 /out ./parent
RUN --mount=type=cache,target=/c echo 67 $A67 > /out
LABEL stage67="$A67"
EXPOSE 8067
FROM busybox:latest AS s68
ARG V68=v68
ENV A68=${V68} B68=b68
WORKDIR /w68
COPY f8.txt ./
COPY --from=s33 /out ./parent
RUN --mount=type=cache,target=/c echo 68 $A68 > /out
LABEL stage68="$A68"
EXPOSE 8068
FROM busybox:latest AS s69
ARG V69=v69
ENV A69=${V69} B69=b69
WORKDIR /w69
COPY f9.txt ./
COPY --from=s34 /out ./parent
RUN --mount=type=cache,target=/c echo 69 $A69 > /out
LABEL stage69="$A69"
EXPOSE 8069
FROM busybox:latest AS s70
ARG V70=v70
ENV A70=${V70} B70=b70
WORKDIR /w70
COPY f0.txt ./
COPY --from=s34 /out ./parent
RUN --mount=type=cache,target=/c echo 70 $A70 > /out
LABEL stage70="$A70"
EXPOSE 8070
FROM busybox:latest AS s71
ARG V71=v71
ENV A71=${V71} B71=b71
WORKDIR /w71
COPY f1.txt ./
COPY --from=s35 /out ./parent
RUN --mount=type=cache,target=/c echo 71 $A71 > /out
LABEL stage71="$A71"
EXPOSE 8071
FROM busybox:latest AS s72
ARG V72=v72
ENV A72=${V72} B72=b72
WORKDIR /w72
COPY f2.txt ./
COPY --from=s35 /out ./parent
RUN --mount=type=cache,target=/c echo 72 $A72 > /out
LABEL stage72="$A72"
EXPOSE 8072
FROM busybox:latest AS s73
ARG V73=v73
ENV A73=${V73} B73=b73
WORKDIR /w73
COPY f3.txt ./
COPY --from=s36 /out ./parent
RUN --mount=type=cache,target=/c echo 73 $A73 > /out
LABEL stage73="$A73"
EXPOSE 8073
FROM busybox:latest AS s74
ARG V74=v74
ENV A74=${V74} B74=b74
WORKDIR /w74
COPY f4.txt ./
COPY --from=s36 /out ./parent
RUN --mount=type=cache,target=/c echo 74 $A74 > /out
LABEL stage74="$A74"
EXPOSE 8074
FROM busybox:latest AS s75
ARG V75=v75
ENV A75=${V75} B75=b75
WORKDIR /w75
COPY f5.txt ./
COPY --from=s37 /out ./parent
RUN --mount=type=cache,target=/c echo 75 $A75 > /out
LABEL stage75="$A75"
EXPOSE 8075
FROM busybox:latest AS s76
ARG V76=v76
ENV A76=${V76} B76=b76
WORKDIR /w76
COPY f6.txt ./
COPY --from=s37 /out ./parent
RUN --mount=type=cache,target=/c echo 76 $A76 > /out
LABEL stage76="$A76"
EXPOSE 8076
FROM busybox:latest AS s77
ARG V77=v77
ENV A77=${V77} B77=b77
WORKDIR /w77
COPY f7.txt ./
COPY --from=s38 /out ./parent
RUN --mount=type=cache,target=/c echo 77 $A77 > /out
LABEL stage77="$A77"
EXPOSE 8077
FROM busybox:latest AS s78
ARG V78=v78
ENV A78=${V78} B78=b78
WORKDIR /w78
COPY f8.txt ./
COPY --from=s38 /out ./parent
RUN --mount=type=cache,target=/c echo 78 $A78 > /out
LABEL stage78="$A78"
EXPOSE 8078
FROM busybox:latest AS s79
ARG V79=v79
ENV A79=${V79} B79=b79
WORKDIR /w79
COPY f9.txt ./
COPY --from=s39 /out ./parent
RUN --mount=type=cache,target=/c echo 79 $A79 > /out
LABEL stage79="$A79"
EXPOSE 8079
FROM busybox:latest AS s80
ARG V80=v80
ENV A80=${V80} B80=b80
WORKDIR /w80
COPY f0.txt ./
COPY --from=s39 /out ./parent
RUN --mount=type=cache,target=/c echo 80 $A80 > /out
LABEL stage80="$A80"
EXPOSE 8080
FROM busybox:latest AS s81
ARG V81=v81
ENV A81=${V81} B81=b81
WORKDIR /w81
COPY f1.txt ./
COPY --from=s40 /out ./parent
RUN --mount=type=cache,target=/c echo 81 $A81 > /out
LABEL stage81="$A81"
EXPOSE 8081
FROM busybox:latest AS s82
ARG V82=v82
ENV A82=${V82} B82=b82
WORKDIR /w82
COPY f2.txt ./
COPY --from=s40 /out ./parent
RUN --mount=type=cache,target=/c echo 82 $A82 > /out
LABEL stage82="$A82"
EXPOSE 8082
FROM busybox:latest AS s83
ARG V83=v83
ENV A83=${V83} B83=b83
WORKDIR /w83
COPY f3.txt ./
COPY --from=s41 /out ./parent
RUN --mount=type=cache,target=/c echo 83 $A83 > /out
LABEL stage83="$A83"
EXPOSE 8083
FROM busybox:latest AS s84
ARG V84=v84
ENV A84=${V84} B84=b84
WORKDIR /w84
COPY f4.txt ./
COPY --from=s41 /out ./parent
RUN --mount=type=cache,target=/c echo 84 $A84 > /out
LABEL stage84="$A84"
EXPOSE 8084
FROM busybox:latest AS s85
ARG V85=v85
ENV A85=${V85} B85=b85
WORKDIR /w85
COPY f5.txt ./
COPY --from=s42 /out ./parent
RUN --mount=type=cache,target=/c echo 85 $A85 > /out
LABEL stage85="$A85"
EXPOSE 8085
FROM busybox:latest AS s86
ARG V86=v86
ENV A86=${V86} B86=b86
WORKDIR /w86
COPY f6.txt ./
COPY --from=s42 /out ./parent
RUN --mount=type=cache,target=/c echo 86 $A86 > /out
LABEL stage86="$A86"
EXPOSE 8086
FROM busybox:latest AS s87
ARG V87=v87
ENV A87=${V87} B87=b87
WORKDIR /w87
COPY f7.txt ./
COPY --from=s43 /out ./parent
RUN --mount=type=cache,target=/c echo 87 $A87 > /out
LABEL stage87="$A87"
EXPOSE 8087
FROM busybox:latest AS s88
ARG V88=v88
ENV A88=${V88} B88=b88
WORKDIR /w88
COPY f8.txt ./
COPY --from=s43 /out ./parent
RUN --mount=type=cache,target=/c echo 88 $A88 > /out
LABEL stage88="$A88"
EXPOSE 8088
FROM busybox:latest AS s89
ARG V89=v89
ENV A89=${V89} B89=b89
WORKDIR /w89
COPY f9.txt ./
COPY --from=s44 /out ./parent
RUN --mount=type=cache,target=/c echo 89 $A89 > /out
LABEL stage89="$A89"
EXPOSE 8089
FROM busybox:latest AS s90
ARG V90=v90
ENV A90=${V90} B90=b90
WORKDIR /w90
COPY f0.txt ./
COPY --from=s44 /out ./parent
RUN --mount=type=cache,target=/c echo 90 $A90 > /out
LABEL stage90="$A90"
EXPOSE 8090
FROM busybox:latest AS s91
ARG V91=v91
ENV A91=${V91} B91=b91
WORKDIR /w91
COPY f1.txt ./
COPY --from=s45 /out ./parent
RUN --mount=type=cache,target=/c echo 91 $A91 > /out
LABEL stage91="$A91"
EXPOSE 8091
FROM busybox:latest AS s92
ARG V92=v92
ENV A92=${V92} B92=b92
WORKDIR /w92
COPY f2.txt ./
COPY --from=s45 /out ./parent
RUN --mount=type=cache,target=/c echo 92 $A92 > /out
LABEL stage92="$A92"
EXPOSE 8092
FROM busybox:latest AS s93
ARG V93=v93
ENV A93=${V93} B93=b93
WORKDIR /w93
COPY f3.txt ./
COPY --from=s46 /out ./parent
RUN --mount=type=cache,target=/c echo 93 $A93 > /out
LABEL stage93="$A93"
EXPOSE 8093
FROM busybox:latest AS s94
ARG V94=v94
ENV A94=${V94} B94=b94
WORKDIR /w94
COPY f4.txt ./
COPY --from=s46 /out ./parent
RUN --mount=type=cache,target=/c echo 94 $A94 > /out
LABEL stage94="$A94"
EXPOSE 8094
FROM busybox:latest AS s95
ARG V95=v95
ENV A95=${V95} B95=b95
WORKDIR /w95
COPY f5.txt ./
COPY --from=s47 /out ./parent
RUN --mount=type=cache,target=/c echo 95 $A95 > /out
LABEL stage95="$A95"
EXPOSE 8095
FROM busybox:latest AS s96
ARG V96=v96
ENV A96=${V96} B96=b96
WORKDIR /w96
COPY f6.txt ./
COPY --from=s47 /out ./parent
RUN --mount=type=cache,target=/c echo 96 $A96 > /out
LABEL stage96="$A96"
EXPOSE 8096
FROM busybox:latest AS s97
ARG V97=v97
ENV A97=${V97} B97=b97
WORKDIR /w97
COPY f7.txt ./
COPY --from=s48 /out ./parent
RUN --mount=type=cache,target=/c echo 97 $A97 > /out
LABEL stage97="$A97"
EXPOSE 8097
FROM busybox:latest AS s98
ARG V98=v98
ENV A98=${V98} B98=b98
WORKDIR /w98
COPY f8.txt ./
COPY --from=s48 /out ./parent
RUN --mount=type=cache,target=/c echo 98 $A98 > /out
LABEL stage98="$A98"
EXPOSE 8098
FROM busybox:latest AS s99
ARG V99=v99
ENV A99=${V99} B99=b99
WORKDIR /w99
COPY f9.txt ./
COPY --from=s49 /out ./parent
RUN --mount=type=cache,target=/c echo 99 $A99 > /out
LABEL stage99="$A99"
EXPOSE 8099
FROM busybox:latest AS s100
ARG V100=v100
ENV A100=${V100} B100=b100
WORKDIR /w100
COPY f0.txt ./
COPY --from=s49 /out ./parent
RUN --mount=type=cache,target=/c echo 100 $A100 > /out
LABEL stage100="$A100"
EXPOSE 8100
FROM busybox:latest AS s101
ARG V101=v101
ENV A101=${V101} B101=b101
WORKDIR /w101
COPY f1.txt ./
COPY --from=s50 /out ./parent
RUN --mount=type=cache,target=/c echo 101 $A101 > /out
LABEL stage101="$A101"
EXPOSE 8101
FROM busybox:latest AS s102
ARG V102=v102
ENV A102=${V102} B102=b102
WORKDIR /w102
COPY f2.txt ./
COPY --from=s50 /out ./parent
RUN --mount=type=cache,target=/c echo 102 $A102 > /out
LABEL stage102="$A102"
EXPOSE 8102
FROM busybox:latest AS s103
ARG V103=v103
ENV A103=${V103} B103=b103
WORKDIR /w103
COPY f3.txt ./
COPY --from=s51 /out ./parent
RUN --mount=type=cache,target=/c echo 103 $A103 > /out
LABEL stage103="$A103"
EXPOSE 8103
FROM busybox:latest AS s104
ARG V104=v104
ENV A104=${V104} B104=b104
WORKDIR /w104
COPY f4.txt ./
COPY --from=s51 /out ./parent
RUN --mount=type=cache,target=/c echo 104 $A104 > /out
LABEL stage104="$A104"
EXPOSE 8104
FROM busybox:latest AS s105
ARG V105=v105
ENV A105=${V105} B105=b105
WORKDIR /w105
COPY f5.txt ./
COPY --from=s52 /out ./parent
RUN --mount=type=cache,target=/c echo 105 $A105 > /out
LABEL stage105="$A105"
EXPOSE 8105
FROM busybox:latest AS s106
ARG V106=v106
ENV A106=${V106} B106=b106
WORKDIR /w106
COPY f6.txt ./
COPY --from=s52 /out ./parent
RUN --mount=type=cache,target=/c echo 106 $A106 > /out
LABEL stage106="$A106"
EXPOSE 8106
FROM busybox:latest AS s107
ARG V107=v107
ENV A107=${V107} B107=b107
WORKDIR /w107
COPY f7.txt ./
COPY --from=s53 /out ./parent
RUN --mount=type=cache,target=/c echo 107 $A107 > /out
LABEL stage107="$A107"
EXPOSE 8107
FROM busybox:latest AS s108
ARG V108=v108
ENV A108=${V108} B108=b108
WORKDIR /w108
COPY f8.txt ./
COPY --from=s53 /out ./parent
RUN --mount=type=cache,target=/c echo 108 $A108 > /out
LABEL stage108="$A108"
EXPOSE 8108
FROM busybox:latest AS s109
ARG V109=v109
ENV A109=${V109} B109=b109
WORKDIR /w109
COPY f9.txt ./
COPY --from=s54 /out ./parent
RUN --mount=type=cache,target=/c echo 109 $A109 > /out
LABEL stage109="$A109"
EXPOSE 8109
FROM busybox:latest AS s110
ARG V110=v110
ENV A110=${V110} B110=b110
WORKDIR /w110
COPY f0.txt ./
COPY --from=s54 /out ./parent
RUN --mount=type=cache,target=/c echo 110 $A110 > /out
LABEL stage110="$A110"
EXPOSE 8110
FROM busybox:latest AS s111
ARG V111=v111
ENV A111=${V111} B111=b111
WORKDIR /w111
COPY f1.txt ./
COPY --from=s55 /out ./parent
RUN --mount=type=cache,target=/c echo 111 $A111 > /out
LABEL stage111="$A111"
EXPOSE 8111
FROM busybox:latest AS s112
ARG V112=v112
ENV A112=${V112} B112=b112
WORKDIR /w112
COPY f2.txt ./
COPY --from=s55 /out ./parent
RUN --mount=type=cache,target=/c echo 112 $A112 > /out
LABEL stage112="$A112"
EXPOSE 8112
FROM busybox:latest AS s113
ARG V113=v113
ENV A113=${V113} B113=b113
WORKDIR /w113
COPY f3.txt ./
COPY --from=s56 /out ./parent
RUN --mount=type=cache,target=/c echo 113 $A113 > /out
LABEL stage113="$A113"
EXPOSE 8113
FROM busybox:latest AS s114
ARG V114=v114
ENV A114=${V114} B114=b114
WORKDIR /w114
COPY f4.txt ./
COPY --from=s56 /out ./parent
RUN --mount=type=cache,target=/c echo 114 $A114 > /out
LABEL stage114="$A114"
EXPOSE 8114
FROM busybox:latest AS s115
ARG V115=v115
ENV A115=${V115} B115=b115
WORKDIR /w115
COPY f5.txt ./
COPY --from=s57 /out ./parent
RUN --mount=type=cache,target=/c echo 115 $A115 > /out
LABEL stage115="$A115"
EXPOSE 8115
FROM busybox:latest AS s116
ARG V116=v116
ENV A116=${V116} B116=b116
WORKDIR /w116
COPY f6.txt ./
COPY --from=s57 /out ./parent
RUN --mount=type=cache,target=/c echo 116 $A116 > /out
LABEL stage116="$A116"
EXPOSE 8116
FROM busybox:latest AS s117
ARG V117=v117
ENV A117=${V117} B117=b117
WORKDIR /w117
COPY f7.txt ./
COPY --from=s58 /out ./parent
RUN --mount=type=cache,target=/c echo 117 $A117 > /out
LABEL stage117="$A117"
EXPOSE 8117
FROM busybox:latest AS s118
ARG V118=v118
ENV A118=${V118} B118=b118
WORKDIR /w118
COPY f8.txt ./
COPY --from=s58 /out ./parent
RUN --mount=type=cache,target=/c echo 118 $A118 > /out
LABEL stage118="$A118"
EXPOSE 8118
FROM busybox:latest AS s119
ARG V119=v119
ENV A119=${V119} B119=b119
WORKDIR /w119
COPY f9.txt ./
COPY --from=s59 /out ./parent
RUN --mount=type=cache,target=/c echo 119 $A119 > /out
LABEL stage119="$A119"
EXPOSE 8119
FROM busybox:latest AS s120
ARG V120=v120
ENV A120=${V120} B120=b120
WORKDIR /w120
COPY f0.txt ./
COPY --from=s59 /out ./parent
RUN --mount=type=cache,target=/c echo 120 $A120 > /out
LABEL stage120="$A120"
EXPOSE 8120
FROM busybox:latest AS s121
ARG V121=v121
ENV A121=${V121} B121=b121
WORKDIR /w121
COPY f1.txt ./
COPY --from=s60 /out ./parent
RUN --mount=type=cache,target=/c echo 121 $A121 > /out
LABEL stage121="$A121"
EXPOSE 8121
FROM busybox:latest AS s122
ARG V122=v122
ENV A122=${V122} B122=b122
WORKDIR /w122
COPY f2.txt ./
COPY --from=s60 /out ./parent
RUN --mount=type=cache,target=/c echo 122 $A122 > /out
LABEL stage122="$A122"
EXPOSE 8122
FROM busybox:latest AS s123
ARG V123=v123
ENV A123=${V123} B123=b123
WORKDIR /w123
COPY f3.txt ./
COPY --from=s61 /out ./parent
RUN --mount=type=cache,target=/c echo 123 $A123 > /out
LABEL stage123="$A123"
EXPOSE 8123
FROM busybox:latest AS s124
ARG V124=v124
ENV A124=${V124} B124=b124
WORKDIR /w124
COPY f4.txt ./
COPY --from=s61 /out ./parent
RUN --mount=type=cache,target=/c echo 124 $A124 > /out
LABEL stage124="$A124"
EXPOSE 8124
FROM busybox:latest AS s125
ARG V125=v125
ENV A125=${V125} B125=b125
WORKDIR /w125
COPY f5.txt ./
COPY --from=s62 /out ./parent
RUN --mount=type=cache,target=/c echo 125 $A125 > /out
LABEL stage125="$A125"
EXPOSE 8125
FROM busybox:latest AS s126
ARG V126=v126
ENV A126=${V126} B126=b126
WORKDIR /w126
COPY f6.txt ./
COPY --from=s62 /out ./parent
RUN --mount=type=cache,target=/c echo 126 $A126 > /out
LABEL stage126="$A126"
EXPOSE 8126
FROM busybox:latest AS s127
ARG V127=v127
ENV A127=${V127} B127=b127
WORKDIR /w127
COPY f7.txt ./
COPY --from=s63 /out ./parent
RUN --mount=type=cache,target=/c echo 127 $A127 > /out
LABEL stage127="$A127"
EXPOSE 8127
FROM busybox:latest AS s128
ARG V128=v128
ENV A128=${V128} B128=b128
WORKDIR /w128
COPY f8.txt ./
COPY --from=s63 /out ./parent
RUN --mount=type=cache,target=/c echo 128 $A128 > /out
LABEL stage128="$A128"
EXPOSE 8128
FROM busybox:latest AS s129
ARG V129=v129
ENV A129=${V129} B129=b129
WORKDIR /w129
COPY f9.txt ./
COPY --from=s64 /out ./parent
RUN --mount=type=cache,target=/c echo 129 $A129 > /out
LABEL stage129="$A129"
EXPOSE 8129
FROM busybox:latest AS s130
ARG V130=v130
ENV A130=${V130} B130=b130
WORKDIR /w130
COPY f0.txt ./
COPY --from=s64 /out ./parent
RUN --mount=type=cache,target=/c echo 130 $A130 > /out
LABEL stage130="$A130"
EXPOSE 8130
FROM busybox:latest AS s131
ARG V131=v131
ENV A131=${V131} B131=b131
WORKDIR /w131
COPY f1.txt ./
COPY --from=s65 /out ./parent
RUN --mount=type=cache,target=/c echo 131 $A131 > /out
LABEL stage131="$A131"
EXPOSE 8131
FROM busybox:latest AS s132
ARG V132=v132
ENV A132=${V132} B132=b132
WORKDIR /w132
COPY f2.txt ./
COPY --from=s65 /out ./parent
RUN --mount=type=cache,target=/c echo 132 $A132 > /out
LABEL stage132="$A132"
EXPOSE 8132
FROM busybox:latest AS s133
ARG V133=v133
ENV A133=${V133} B133=b133
WORKDIR /w133
COPY f3.txt ./
COPY --from=s66 /out ./parent
RUN --mount=type=cache,target=/c echo 133 $A133 > /out
LABEL stage133="$A133"
EXPOSE 8133
FROM busybox:latest AS s134
ARG V134=v134
ENV A134=${V134} B134=b134
WORKDIR /w134
COPY f4.txt ./
COPY --from=s66 /out ./parent
RUN --mount=type=cache,target=/c echo 134 $A134 > /out
LABEL stage134="$A134"
EXPOSE 8134
FROM busybox:latest AS s135
ARG V135=v135
ENV A135=${V135} B135=b135
WORKDIR /w135
COPY f5.txt ./
COPY --from=s67 /out ./parent
RUN --mount=type=cache,target=/c echo 135 $A135 > /out
LABEL stage135="$A135"
EXPOSE 8135
FROM busybox:latest AS s136
ARG V136=v136
ENV A136=${V136} B136=b136
WORKDIR /w136
COPY f6.txt ./
COPY --from=s67 /out ./parent
RUN --mount=type=cache,target=/c echo 136 $A136 > /out
LABEL stage136="$A136"
EXPOSE 8136
FROM busybox:latest AS s137
ARG V137=v137
ENV A137=${V137} B137=b137
WORKDIR /w137
COPY f7.txt ./
COPY --from=s68 /out ./parent
RUN --mount=type=cache,target=/c echo 137 $A137 > /out
LABEL stage137="$A137"
EXPOSE 8137
FROM busybox:latest AS s138
ARG V138=v138
ENV A138=${V138} B138=b138
WORKDIR /w138
COPY f8.txt ./
COPY --from=s68 /out ./parent
RUN --mount=type=cache,target=/c echo 138 $A138 > /out
LABEL stage138="$A138"
EXPOSE 8138
FROM busybox:latest AS s139
ARG V139=v139
ENV A139=${V139} B139=b139
WORKDIR /w139
COPY f9.txt ./
COPY --from=s69 /out ./parent
RUN --mount=type=cache,target=/c echo 139 $A139 > /out
LABEL stage139="$A139"
EXPOSE 8139
FROM busybox:latest AS s140
ARG V140=v140
ENV A140=${V140} B140=b140
WORKDIR /w140
COPY f0.txt ./
COPY --from=s69 /out ./parent
RUN --mount=type=cache,target=/c echo 140 $A140 > /out
LABEL stage140="$A140"
EXPOSE 8140
FROM busybox:latest AS s141
ARG V141=v141
ENV A141=${V141} B141=b141
WORKDIR /w141
COPY f1.txt ./
COPY --from=s70 /out ./parent
RUN --mount=type=cache,target=/c echo 141 $A141 > /out
LABEL stage141="$A141"
EXPOSE 8141
FROM busybox:latest AS s142
ARG V142=v142
ENV A142=${V142} B142=b142
WORKDIR /w142
COPY f2.txt ./
COPY --from=s70 /out ./parent
RUN --mount=type=cache,target=/c echo 142 $A142 > /out
LABEL stage142="$A142"
EXPOSE 8142
FROM busybox:latest AS s143
ARG V143=v143
ENV A143=${V143} B143=b143
WORKDIR /w143
COPY f3.txt ./
COPY --from=s71 /out ./parent
RUN --mount=type=cache,target=/c echo 143 $A143 > /out
LABEL stage143="$A143"
EXPOSE 8143
FROM busybox:latest AS s144
ARG V144=v144
ENV A144=${V144} B144=b144
WORKDIR /w144
COPY f4.txt ./
COPY --from=s71 /out ./parent
RUN --mount=type=cache,target=/c echo 144 $A144 > /out
LABEL stage144="$A144"
EXPOSE 8144
FROM busybox:latest AS s145
ARG V145=v145
ENV A145=${V145} B145=b145
WORKDIR /w145
COPY f5.txt ./
COPY --from=s72 /out ./parent
RUN --mount=type=cache,target=/c echo 145 $A145 > /out
LABEL stage145="$A145"
EXPOSE 8145
FROM busybox:latest AS s146
ARG V146=v146
ENV A146=${V146} B146=b146
WORKDIR /w146
COPY f6.txt ./
COPY --from=s72 /out ./parent
RUN --mount=type=cache,target=/c echo 146 $A146 > /out
LABEL stage146="$A146"
EXPOSE 8146
FROM busybox:latest AS s147
ARG V147=v147
ENV A147=${V147} B147=b147
WORKDIR /w147
COPY f7.txt ./
COPY --from=s73 /out ./parent
RUN --mount=type=cache,target=/c echo 147 $A147 > /out
LABEL stage147="$A147"
EXPOSE 8147
FROM busybox:latest AS s148
ARG V148=v148
ENV A148=${V148} B148=b148
WORKDIR /w148
COPY f8.txt ./
COPY --from=s73 /out ./parent
RUN --mount=type=cache,target=/c echo 148 $A148 > /out
LABEL stage148="$A148"
EXPOSE 8148
FROM busybox:latest AS s149
ARG V149=v149
ENV A149=${V149} B149=b149
WORKDIR /w149
COPY f9.txt ./
COPY --from=s74 /out ./parent
RUN --mount=type=cache,target=/c echo 149 $A149 > /out
LABEL stage149="$A149"
EXPOSE 8149
FROM busybox:latest AS s150
ARG V150=v150
ENV A150=${V150} B150=b150
WORKDIR /w150
COPY f0.txt ./
COPY --from=s74 /out ./parent
RUN --mount=type=cache,target=/c echo 150 $A150 > /out
LABEL stage150="$A150"
EXPOSE 8150
FROM busybox:latest AS s151
ARG V151=v151
ENV A151=${V151} B151=b151
WORKDIR /w151
COPY f1.txt ./
COPY --from=s75 /out ./parent
RUN --mount=type=cache,target=/c echo 151 $A151 > /out
LABEL stage151="$A151"
EXPOSE 8151
FROM busybox:latest AS s152
ARG V152=v152
ENV A152=${V152} B152=b152
WORKDIR /w152
COPY f2.txt ./
COPY --from=s75 /out ./parent
RUN --mount=type=cache,target=/c echo 152 $A152 > /out
LABEL stage152="$A152"
EXPOSE 8152
FROM busybox:latest AS s153
ARG V153=v153
ENV A153=${V153} B153=b153
WORKDIR /w153
COPY f3.txt ./
COPY --from=s76 /out ./parent
RUN --mount=type=cache,target=/c echo 153 $A153 > /out
LABEL stage153="$A153"
EXPOSE 8153
FROM busybox:latest AS s154
ARG V154=v154
ENV A154=${V154} B154=b154
WORKDIR /w154
COPY f4.txt ./
COPY --from=s76 /out ./parent
RUN --mount=type=cache,target=/c echo 154 $A154 > /out
LABEL stage154="$A154"
EXPOSE 8154
FROM busybox:latest AS s155
ARG V155=v155
ENV A155=${V155} B155=b155
WORKDIR /w155
COPY f5.txt ./
COPY --from=s77 /out ./parent
RUN --mount=type=cache,target=/c echo 155 $A155 > /out
LABEL stage155="$A155"
EXPOSE 8155
FROM busybox:latest AS s156
ARG V156=v156
ENV A156=${V156} B156=b156
WORKDIR /w156
COPY f6.txt ./
COPY --from=s77 /out ./parent
RUN --mount=type=cache,target=/c echo 156 $A156 > /out
LABEL stage156="$A156"
EXPOSE 8156
FROM busybox:latest AS s157
ARG V157=v157
ENV A157=${V157} B157=b157
WORKDIR /w157
COPY f7.txt ./
COPY --from=s78 /out ./parent
RUN --mount=type=cache,target=/c echo 157 $A157 > /out
LABEL stage157="$A157"
EXPOSE 8157
FROM busybox:latest AS s158
ARG V158=v158
ENV A158=${V158} B158=b158
WORKDIR /w158
COPY f8.txt ./
COPY --from=s78 /out ./parent
RUN --mount=type=cache,target=/c echo 158 $A158 > /out
LABEL stage158="$A158"
EXPOSE 8158
FROM busybox:latest AS s159
ARG V159=v159
ENV A159=${V159} B159=b159
WORKDIR /w159
COPY f9.txt ./
COPY --from=s79 /out ./parent
RUN --mount=type=cache,target=/c echo 159 $A159 > /out
LABEL stage159="$A159"
EXPOSE 8159
FROM busybox:latest AS s160
ARG V160=v160
ENV A160=${V160} B160=b160
WORKDIR /w160
COPY f0.txt ./
COPY --from=s79 /out ./parent
RUN --mount=type=cache,target=/c echo 160 $A160 > /out
LABEL stage160="$A160"
EXPOSE 8160
FROM busybox:latest AS s161
ARG V161=v161
ENV A161=${V161} B161=b161
WORKDIR /w161
COPY f1.txt ./
COPY --from=s80 /out ./parent
RUN --mount=type=cache,target=/c echo 161 $A161 > /out
LABEL stage161="$A161"
EXPOSE 8161
FROM busybox:latest AS s162
ARG V162=v162
ENV A162=${V162} B162=b162
WORKDIR /w162
COPY f2.txt ./
COPY --from=s80 /out ./parent
RUN --mount=type=cache,target=/c echo 162 $A162 > /out
LABEL stage162="$A162"
EXPOSE 8162
FROM busybox:latest AS s163
ARG V163=v163
ENV A163=${V163} B163=b163
WORKDIR /w163
COPY f3.txt ./
COPY --from=s81 /out ./parent
RUN --mount=type=cache,target=/c echo 163 $A163 > /out
LABEL stage163="$A163"
EXPOSE 8163
FROM busybox:latest AS s164
ARG V164=v164
ENV A164=${V164} B164=b164
WORKDIR /w164
COPY f4.txt ./
COPY --from=s81 /out ./parent
RUN --mount=type=cache,target=/c echo 164 $A164 > /out
LABEL stage164="$A164"
EXPOSE 8164
FROM busybox:latest AS s165
ARG V165=v165
ENV A165=${V165} B165=b165
WORKDIR /w165
COPY f5.txt ./
COPY --from=s82 /out ./parent
RUN --mount=type=cache,target=/c echo 165 $A165 > /out
LABEL stage165="$A165"
EXPOSE 8165
FROM busybox:latest AS s166
ARG V166=v166
ENV A166=${V166} B166=b166
WORKDIR /w166
COPY f6.txt ./
COPY --from=s82 /out ./parent
RUN --mount=type=cache,target=/c echo 166 $A166 > /out
LABEL stage166="$A166"
EXPOSE 8166
FROM busybox:latest AS s167
ARG V167=v167
ENV A167=${V167} B167=b167
WORKDIR /w167
COPY f7.txt ./
COPY --from=s83 /out ./parent
RUN --mount=type=cache,target=/c echo 167 $A167 > /out
LABEL stage167="$A167"
EXPOSE 8167
FROM busybox:latest AS s168
ARG V168=v168
ENV A168=${V168} B168=b168
WORKDIR /w168
COPY f8.txt ./
COPY --from=s83 /out ./parent
RUN --mount=type=cache,target=/c echo 168 $A168 > /out
LABEL stage168="$A168"
EXPOSE 8168
FROM busybox:latest AS s169
ARG V169=v169
ENV A169=${V169} B169=b169
WORKDIR /w169
COPY f9.txt ./
COPY --from=s84 /out ./parent
RUN --mount=type=cache,target=/c echo 169 $A169 > /out
LABEL stage169="$A169"
EXPOSE 8169
FROM busybox:latest AS s170
ARG V170=v170
ENV A170=${V170} B170=b170
WORKDIR /w170
COPY f0.txt ./
COPY --from=s84 /out ./parent
RUN --mount=type=cache,target=/c echo 170 $A170 > /out
LABEL stage170="$A170"
EXPOSE 8170
FROM busybox:latest AS s171
ARG V171=v171
ENV A171=${V171} B171=b171
WORKDIR /w171
COPY f1.txt ./
COPY --from=s85 /out ./parent
RUN --mount=type=cache,target=/c echo 171 $A171 > /out
LABEL stage171="$A171"
EXPOSE 8171
FROM busybox:latest AS s172
ARG V172=v172
ENV A172=${V172} B172=b172
WORKDIR /w172
COPY f2.txt ./
COPY --from=s85 /out ./parent
RUN --mount=type=cache,target=/c echo 172 $A172 > /out
LABEL stage172="$A172"
EXPOSE 8172
FROM busybox:latest AS s173
ARG V173=v173
ENV A173=${V173} B173=b173
WORKDIR /w173
COPY f3.txt ./
COPY --from=s86 /out ./parent
RUN --mount=type=cache,target=/c echo 173 $A173 > /out
LABEL stage173="$A173"
EXPOSE 8173
FROM busybox:latest AS s174
ARG V174=v174
ENV A174=${V174} B174=b174
WORKDIR /w174
COPY f4.txt ./
COPY --from=s86 /out ./parent
RUN --mount=type=cache,target=/c echo 174 $A174 > /out
LABEL stage174="$A174"
EXPOSE 8174
FROM busybox:latest AS s175
ARG V175=v175
ENV A175=${V175} B175=b175
WORKDIR /w175
COPY f5.txt ./
COPY --from=s87 /out ./parent
RUN --mount=type=cache,target=/c echo 175 $A175 > /out
LABEL stage175="$A175"
EXPOSE 8175
FROM busybox:latest AS s176
ARG V176=v176
ENV A176=${V176} B176=b176
WORKDIR /w176
COPY f6.txt ./
COPY --from=s87 /out ./parent
RUN --mount=type=cache,target=/c echo 176 $A176 > /out
LABEL stage176="$A176"
EXPOSE 8176
FROM busybox:latest AS s177
ARG V177=v177
ENV A177=${V177} B177=b177
WORKDIR /w177
COPY f7.txt ./
COPY --from=s88 /out ./parent
RUN --mount=type=cache,target=/c echo 177 $A177 > /out
LABEL stage177="$A177"
EXPOSE 8177
FROM busybox:latest AS s178
ARG V178=v178
ENV A178=${V178} B178=b178
WORKDIR /w178
COPY f8.txt ./
COPY --from=s88 /out ./parent
RUN --mount=type=cache,target=/c echo 178 $A178 > /out
LABEL stage178="$A178"
EXPOSE 8178
FROM busybox:latest AS s179
ARG V179=v179
ENV A179=${V179} B179=b179
WORKDIR /w179
COPY f9.txt ./
COPY --from=s89 /out ./parent
RUN --mount=type=cache,target=/c echo 179 $A179 > /out
LABEL stage179="$A179"
EXPOSE 8179
FROM busybox:latest AS s180
ARG V180=v180
ENV A180=${V180} B180=b180
WORKDIR /w180
COPY f0.txt ./
COPY --from=s89 /out ./parent
RUN --mount=type=cache,target=/c echo 180 $A180 > /out
LABEL stage180="$A180"
EXPOSE 8180
FROM busybox:latest AS s181
ARG V181=v181
ENV A181=${V181} B181=b181
WORKDIR /w181
COPY f1.txt ./
COPY --from=s90 /out ./parent
RUN --mount=type=cache,target=/c echo 181 $A181 > /out
LABEL stage181="$A181"
EXPOSE 8181
FROM busybox:latest AS s182
ARG V182=v182
ENV A182=${V182} B182=b182
WORKDIR /w182
COPY f2.txt ./
COPY --from=s90 /out ./parent
RUN --mount=type=cache,target=/c echo 182 $A182 > /out
LABEL stage182="$A182"
EXPOSE 8182
FROM busybox:latest AS s183
ARG V183=v183
ENV A183=${V183} B183=b183
WORKDIR /w183
COPY f3.txt ./
COPY --from=s91 /out ./parent
RUN --mount=type=cache,target=/c echo 183 $A183 > /out
LABEL stage183="$A183"
EXPOSE 8183
FROM busybox:latest AS s184
ARG V184=v184
ENV A184=${V184} B184=b184
WORKDIR /w184
COPY f4.txt ./
COPY --from=s91 /out ./parent
RUN --mount=type=cache,target=/c echo 184 $A184 > /out
LABEL stage184="$A184"
EXPOSE 8184
FROM busybox:latest AS s185
ARG V185=v185
ENV A185=${V185} B185=b185
WORKDIR /w185
COPY f5.txt ./
COPY --from=s92 /out ./parent
RUN --mount=type=cache,target=/c echo 185 $A185 > /out
LABEL stage185="$A185"
EXPOSE 8185
FROM busybox:latest AS s186
ARG V186=v186
ENV A186=${V186} B186=b186
WORKDIR /w186
COPY f6.txt ./
COPY --from=s92 /out ./parent
RUN --mount=type=cache,target=/c echo 186 $A186 > /out
LABEL stage186="$A186"
EXPOSE 8186
FROM busybox:latest AS s187
ARG V187=v187
ENV A187=${V187} B187=b187
WORKDIR /w187
COPY f7.txt ./
COPY --from=s93 /out ./parent
RUN --mount=type=cache,target=/c echo 187 $A187 > /out
LABEL stage187="$A187"
EXPOSE 8187
FROM busybox:latest AS s188
ARG V188=v188
ENV A188=${V188} B188=b188
WORKDIR /w188
COPY f8.txt ./
COPY --from=s93 /out ./parent
RUN --mount=type=cache,target=/c echo 188 $A188 > /out
LABEL stage188="$A188"
EXPOSE 8188
FROM busybox:latest AS s189
ARG V189=v189
ENV A189=${V189} B189=b189
WORKDIR /w189
COPY f9.txt ./
COPY --from=s94 /out ./parent
RUN --mount=type=cache,target=/c echo 189 $A189 > /out
LABEL stage189="$A189"
EXPOSE 8189
FROM scratch AS c0
COPY --from=s0 /out /o/0
COPY --from=s9 /out /o/9
COPY --from=s18 /out /o/18
COPY --from=s27 /out /o/27
COPY --from=s36 /out /o/36
COPY --from=s45 /out /o/45
COPY --from=s54 /out /o/54
COPY --from=s63 /out /o/63
COPY --from=s72 /out /o/72
COPY --from=s81 /out /o/81
COPY --from=s90 /out /o/90
COPY --from=s99 /out /o/99
COPY --from=s108 /out /o/108
COPY --from=s117 /out /o/117
COPY --from=s126 /out /o/126
COPY --from=s135 /out /o/135
COPY --from=s144 /out /o/144
COPY --from=s153 /out /o/153
COPY --from=s162 /out /o/162
COPY --from=s171 /out /o/171
COPY --from=s180 /out /o/180
COPY --from=s189 /out /o/189
FROM scratch AS c1
COPY --from=s1 /out /o/1
COPY --from=s10 /out /o/10
COPY --from=s19 /out /o/19
COPY --from=s28 /out /o/28
COPY --from=s37 /out /o/37
COPY --from=s46 /out /o/46
COPY --from=s55 /out /o/55
COPY --from=s64 /out /o/64
COPY --from=s73 /out /o/73
COPY --from=s82 /out /o/82
COPY --from=s91 /out /o/91
COPY --from=s100 /out /o/100
COPY --from=s109 /out /o/109
COPY --from=s118 /out /o/118
COPY --from=s127 /out /o/127
COPY --from=s136 /out /o/136
COPY --from=s145 /out /o/145
COPY --from=s154 /out /o/154
COPY --from=s163 /out /o/163
COPY --from=s172 /out /o/172
COPY --from=s181 /out /o/181
FROM scratch AS c2
COPY --from=s2 /out /o/2
COPY --from=s11 /out /o/11
COPY --from=s20 /out /o/20
COPY --from=s29 /out /o/29
COPY --from=s38 /out /o/38
COPY --from=s47 /out /o/47
COPY --from=s56 /out /o/56
COPY --from=s65 /out /o/65
COPY --from=s74 /out /o/74
COPY --from=s83 /out /o/83
COPY --from=s92 /out /o/92
COPY --from=s101 /out /o/101
COPY --from=s110 /out /o/110
COPY --from=s119 /out /o/119
COPY --from=s128 /out /o/128
COPY --from=s137 /out /o/137
COPY --from=s146 /out /o/146
COPY --from=s155 /out /o/155
COPY --from=s164 /out /o/164
COPY --from=s173 /out /o/173
COPY --from=s182 /out /o/182
FROM scratch AS c3
COPY --from=s3 /out /o/3
COPY --from=s12 /out /o/12
COPY --from=s21 /out /o/21
COPY --from=s30 /out /o/30
COPY --from=s39 /out /o/39
COPY --from=s48 /out /o/48
COPY --from=s57 /out /o/57
COPY --from=s66 /out /o/66
COPY --from=s75 /out /o/75
COPY --from=s84 /out /o/84
COPY --from=s93 /out /o/93
COPY --from=s102 /out /o/102
COPY --from=s111 /out /o/111
COPY --from=s120 /out /o/120
COPY --from=s129 /out /o/129
COPY --from=s138 /out /o/138
COPY --from=s147 /out /o/147
COPY --from=s156 /out /o/156
COPY --from=s165 /out /o/165
COPY --from=s174 /out /o/174
COPY --from=s183 /out /o/183
FROM scratch AS c4
COPY --from=s4 /out /o/4
COPY --from=s13 /out /o/13
COPY --from=s22 /out /o/22
COPY --from=s31 /out /o/31
COPY --from=s40 /out /o/40
COPY --from=s49 /out /o/49
COPY --from=s58 /out /o/58
COPY --from=s67 /out /o/67
COPY --from=s76 /out /o/76
COPY --from=s85 /out /o/85
COPY --from=s94 /out /o/94
COPY --from=s103 /out /o/103
COPY --from=s112 /out /o/112
COPY --from=s121 /out /o/121
COPY --from=s130 /out /o/130
COPY --from=s139 /out /o/139
COPY --from=s148 /out /o/148
COPY --from=s157 /out /o/157
COPY --from=s166 /out /o/166
COPY --from=s175 /out /o/175
COPY --from=s184 /out /o/184
FROM scratch AS c5
COPY --from=s5 /out /o/5
COPY --from=s14 /out /o/14
COPY --from=s23 /out /o/23
COPY --from=s32 /out /o/32
COPY --from=s41 /out /o/41
COPY --from=s50 /out /o/50
COPY --from=s59 /out /o/59
COPY --from=s68 /out /o/68
COPY --from=s77 /out /o/77
COPY --from=s86 /out /o/86
COPY --from=s95 /out /o/95
COPY --from=s104 /out /o/104
COPY --from=s113 /out /o/113
COPY --from=s122 /out /o/122
COPY --from=s131 /out /o/131
COPY --from=s140 /out /o/140
COPY --from=s149 /out /o/149
COPY --from=s158 /out /o/158
COPY --from=s167 /out /o/167
COPY --from=s176 /out /o/176
COPY --from=s185 /out /o/185
FROM scratch AS c6
COPY --from=s6 /out /o/6
COPY --from=s15 /out /o/15
COPY --from=s24 /out /o/24
COPY --from=s33 /out /o/33
COPY --from=s42 /out /o/42
COPY --from=s51 /out /o/51
COPY --from=s60 /out /o/60
COPY --from=s69 /out /o/69
COPY --from=s78 /out /o/78
COPY --from=s87 /out /o/87
COPY --from=s96 /out /o/96
COPY --from=s105 /out /o/105
COPY --from=s114 /out /o/114
COPY --from=s123 /out /o/123
COPY --from=s132 /out /o/132
COPY --from=s141 /out /o/141
COPY --from=s150 /out /o/150
COPY --from=s159 /out /o/159
COPY --from=s168 /out /o/168
COPY --from=s177 /out /o/177
COPY --from=s186 /out /o/186
FROM scratch AS c7
COPY --from=s7 /out /o/7
COPY --from=s16 /out /o/16
COPY --from=s25 /out /o/25
COPY --from=s34 /out /o/34
COPY --from=s43 /out /o/43
COPY --from=s52 /out /o/52
COPY --from=s61 /out /o/61
COPY --from=s70 /out /o/70
COPY --from=s79 /out /o/79
COPY --from=s88 /out /o/88
COPY --from=s97 /out /o/97
COPY --from=s106 /out /o/106
COPY --from=s115 /out /o/115
COPY --from=s124 /out /o/124
COPY --from=s133 /out /o/133
COPY --from=s142 /out /o/142
COPY --from=s151 /out /o/151
COPY --from=s160 /out /o/160
COPY --from=s169 /out /o/169
COPY --from=s178 /out /o/178
COPY --from=s187 /out /o/187
FROM scratch AS c8
COPY --from=s8 /out /o/8
COPY --from=s17 /out /o/17
COPY --from=s26 /out /o/26
COPY --from=s35 /out /o/35
COPY --from=s44 /out /o/44
COPY --from=s53 /out /o/53
COPY --from=s62 /out /o/62
COPY --from=s71 /out /o/71
COPY --from=s80 /out /o/80
COPY --from=s89 /out /o/89
COPY --from=s98 /out /o/98
COPY --from=s107 /out /o/107
COPY --from=s116 /out /o/116
COPY --from=s125 /out /o/125
COPY --from=s134 /out /o/134
COPY --from=s143 /out /o/143
COPY --from=s152 /out /o/152
COPY --from=s161 /out /o/161
COPY --from=s170 /out /o/170
COPY --from=s179 /out /o/179
COPY --from=s188 /out /o/188
FROM scratch AS final
COPY --from=c0 /o /o
COPY --from=c1 /o /o
COPY --from=c2 /o /o
COPY --from=c3 /o /o
COPY --from=c4 /o /o
COPY --from=c5 /o /o
COPY --from=c6 /o /o
COPY --from=c7 /o /o
COPY --from=c8 /o /o
LABEL pad1919=1919
LABEL pad1920=1920
LABEL pad1921=1921
LABEL pad1922=1922
LABEL pad1923=1923
LABEL pad1924=1924
LABEL pad1925=1925
LABEL pad1926=1926
LABEL pad1927=1927
LABEL pad1928=1928
LABEL pad1929=1929
LABEL pad1930=1930
LABEL pad1931=1931
LABEL pad1932=1932
LABEL pad1933=1933
LABEL pad1934=1934
LABEL pad1935=1935
LABEL pad1936=1936
LABEL pad1937=1937
LABEL pad1938=1938
LABEL pad1939=1939
LABEL pad1940=1940
LABEL pad1941=1941
LABEL pad1942=1942
LABEL pad1943=1943
LABEL pad1944=1944
LABEL pad1945=1945
LABEL pad1946=1946
LABEL pad1947=1947
LABEL pad1948=1948
LABEL pad1949=1949
LABEL pad1950=1950
LABEL pad1951=1951
LABEL pad1952=1952
LABEL pad1953=1953
LABEL pad1954=1954
LABEL pad1955=1955
LABEL pad1956=1956
LABEL pad1957=1957
LABEL pad1958=1958
LABEL pad1959=1959
LABEL pad1960=1960
LABEL pad1961=1961
LABEL pad1962=1962
LABEL pad1963=1963
LABEL pad1964=1964
LABEL pad1965=1965
LABEL pad1966=1966
LABEL pad1967=1967
LABEL pad1968=1968
LABEL pad1969=1969
LABEL pad1970=1970
LABEL pad1971=1971
LABEL pad1972=1972
LABEL pad1973=1973
LABEL pad1974=1974
LABEL pad1975=1975
LABEL pad1976=1976
LABEL pad1977=1977
LABEL pad1978=1978
LABEL pad1979=1979
LABEL pad1980=1980
LABEL pad1981=1981
LABEL pad1982=1982
LABEL pad1983=1983
LABEL pad1984=1984
LABEL pad1985=1985
LABEL pad1986=1986
LABEL pad1987=1987
LABEL pad1988=1988
LABEL pad1989=1989
LABEL pad1990=1990
LABEL pad1991=1991
LABEL pad1992=1992
LABEL pad1993=1993
LABEL pad1994=1994
LABEL pad1995=1995
LABEL pad1996=1996
LABEL pad1997=1997
LABEL pad1998=1998
LABEL pad1999=1999
