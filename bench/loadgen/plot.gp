# SPDX-License-Identifier: MPL-2.0
# leasewire-loadgen: offered vs answered rate over time, and the latency CDF,
# in one PNG. Reads the files of --series and --cdf (CSV, first line: titles).
#
#   gnuplot -e "series='s.csv'; cdf='c.csv'; out='run.png'" bench/loadgen/plot.gp
#
# Optional: title='...' (a line above both plots).
if (!exists("series")) series = "series.csv"
if (!exists("cdf")) cdf = "cdf.csv"
if (!exists("out")) out = "loadgen.png"
if (!exists("title")) title = "leasewire-loadgen"

set terminal pngcairo size 1000,900 font ",10"
set output out
set datafile separator ","
set key autotitle columnhead
set multiplot layout 2,1 title title

# Columns: t_s,interval_s,offered,answered,late,lost,retransmit,bound,outstanding,p99_us
# (counts per row; rate = count / interval_s)
set title "transactions per second (DORA exchanges, renewals, releases)"
set xlabel "seconds since start"
set ylabel "per second"
set y2label "clients bound"
set ytics nomirror
set y2tics
set xrange [0:*]
set yrange [0:*]
set y2range [0:*]
set offsets 0, 0, graph 0.05, 0
set grid
set key left top
plot series using 1:($3/$2) with fsteps lw 2 title "offered", \
     series using 1:($4/$2) with fsteps lw 2 title "answered", \
     series using 1:($7/$2) with fsteps lw 1 dashtype 2 title "retransmissions", \
     series using 1:($6/$2) with impulses lw 2 title "lost", \
     series using 1:8 axes x1y2 with lines lw 1 lc rgb "gray" title "bound (right axis)"

# Columns: latency_us,discover-offer,request-ack,exchange,renew (0..1; 0 when none)
set title "latency CDF (from the last transmission; exchange: from the first DISCOVER)"
set xlabel "latency (µs, log scale)"
set ylabel "fraction at or below"
unset y2label
set offsets 0, 0, 0, 0
unset y2tics
set logscale x
set xrange [1:*]
set yrange [0:1.02]
set key right bottom
# Only the histograms that hold samples (a column of zeros is empty).
cmd = ""
do for [i=2:5] {
    stats cdf using i every ::1 nooutput
    if (STATS_max > 0) {
        cmd = cmd . (strlen(cmd) ? ", " : "plot ") . sprintf("cdf using 1:%d with steps lw 2", i)
    }
}
if (strlen(cmd)) { eval(cmd) } else { set label 1 "no samples" at graph 0.5, 0.5 center; plot NaN notitle }

unset multiplot
