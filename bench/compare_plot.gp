# SPDX-License-Identifier: MPL-2.0
# Offered vs answered (completed exchanges/s, median over runs) per server.
# Run by bench/compare.sh in its output directory: reads rate.dat (first
# line: column titles), writes rate.png.
# gnuplot -e 'ncol=4' compare_plot.gp
set terminal pngcairo size 900,600 font ",11"
set output "rate.png"
set title "perfdhcp over veth: offered vs answered DORA exchanges/s (median of runs)"
set xlabel "offered exchanges/s"
set ylabel "completed exchanges/s"
set key left top
set grid
set xrange [0:*]
set yrange [0:*]
# ncol: number of columns (1 + servers), given with -e "ncol=N".
if (!exists("ncol")) ncol = 4
plot for [i=2:ncol] "rate.dat" using 1:i with linespoints lw 2 pt 7 title columnheader(i), \
     x with lines dashtype 2 lc rgb "gray" title "offered (no loss)"
