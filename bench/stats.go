package main

import (
	"math"
	"slices"
)

func median(v []float64) float64 { return quantile(v, 0.5) }

// quantile is the nearest-rank quantile; NaN for no values.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}
