#include "ot/sinkhorn.h"

#include <cmath>
#include <stdexcept>

#include "ot/fused_softmin.h"

namespace pianokpm {

void SinkhornOptions::check() const {
  if (!(blur > 0) || !(scaling > 0 && scaling < 1) || block_rows < 1) {
    throw std::invalid_argument("sinkhorn: need blur > 0, 0 < scaling < 1, block_rows >= 1");
  }
}

std::vector<double> sinkhorn_epsilons(double diameter, const SinkhornOptions& o) {
  // Every point in one place (a constant envelope predicted and measured): no scale to anneal from.
  if (!(diameter > 0)) return {o.blur * o.blur};
  // p = 2: eps = blur^2; [diameter^2] + exp(arange(2 ln d, 2 ln blur, 2 ln scaling)) + [blur^2]
  std::vector<double> eps{diameter * diameter};
  const double start = 2 * std::log(diameter), stop = 2 * std::log(o.blur), step = 2 * std::log(o.scaling);
  const auto n = static_cast<int64_t>(std::ceil((stop - start) / step));
  for (int64_t i = 0; i < n; ++i) eps.push_back(std::exp(start + static_cast<double>(i) * step));
  eps.push_back(o.blur * o.blur);
  return eps;
}

namespace {

double joint_diameter(const torch::Tensor& x, const torch::Tensor& y) {
  const auto d = x.size(-1);
  auto all = torch::cat({x.reshape({-1, d}), y.reshape({-1, d})}, 0);
  return (std::get<0>(all.max(0)) - std::get<0>(all.min(0))).norm().item<double>();
}

// C_ij = |x_i - y_j|^2 / 2 for x [..., N, D], y [..., M, D].
torch::Tensor half_squared_distances(const torch::Tensor& x, const torch::Tensor& y) {
  auto xx = x.pow(2).sum(-1, true) / 2;                    // [..., N, 1]
  auto yy = y.pow(2).sum(-1, true).transpose(-1, -2) / 2;  // [..., 1, M]
  return xx + yy - torch::matmul(x, y.transpose(-1, -2));
}

// softmin(eps, C, h)_i = -eps logsumexp_j (h_j - C_ij / eps); C [B, N, M], h [B, M] -> [B, N]
torch::Tensor softmin(double eps, const torch::Tensor& c, const torch::Tensor& h) {
  return -eps * torch::logsumexp(h.unsqueeze(1) - c / eps, 2);
}

// float32 clouds on the CPU go through the fused soft-min (fused_softmin.h): no cost matrix.
bool takes_fused_softmin(const torch::Tensor& x) { return x.is_cpu() && x.scalar_type() == torch::kFloat; }

// The fused soft-min window by window over a batch x [B, N, D], y [B, M, D], h [B, M] -> [B, N];
// with `barycentre`, also each row's soft-min weighted mean of y, [B, N, D].
torch::Tensor batched_fused_softmin(double eps, const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& h,
                                    torch::Tensor* barycentre = nullptr) {
  const auto xc = x.contiguous(), yc = y.contiguous(), hc = h.contiguous();
  std::vector<torch::Tensor> values, barycentres;
  for (int64_t i = 0; i < x.size(0); ++i) {
    torch::Tensor bary;
    values.push_back(fused_softmin(eps, xc[i], yc[i], hc[i], barycentre ? &bary : nullptr));
    if (barycentre) barycentres.push_back(bary);
  }
  if (barycentre) *barycentre = torch::stack(barycentres);
  return torch::stack(values);
}

// The soft-min of a batch of clouds without gradient: fused where it can be (3-4x less time than
// the [B, N, M] tensor passes), otherwise from the precomputed costs c.
torch::Tensor batched_softmin(double eps, const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& c,
                              const torch::Tensor& h) {
  return c.defined() ? softmin(eps, c, h) : batched_fused_softmin(eps, x, y, h);
}

// softmin(eps, C(x, y), h) for a batch, differentiable in x only (y and h are detached, as in
// geomloss's last extrapolation): d f_i / d x_i = x_i - sum_j p_ij y_j, the soft-min's weighted
// mean of y, which the fused kernel returns beside f. No [B, N, M] tensor is formed.
class SoftminOfFirstArgument : public torch::autograd::Function<SoftminOfFirstArgument> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& y,
                               const torch::Tensor& h, double eps) {
    torch::Tensor barycentre;
    torch::Tensor values = batched_fused_softmin(eps, x, y, h, &barycentre);
    ctx->saved_data["gradient"] = x - barycentre;  // [B, N, D]
    return values;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grad) {
    const auto g = ctx->saved_data["gradient"].toTensor();
    return {grad[0].unsqueeze(-1) * g, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor sinkhorn_divergence(const torch::Tensor& x, const torch::Tensor& y, const SinkhornOptions& o) {
  o.check();
  if (x.dim() != 3 || y.dim() != 3 || x.size(0) != y.size(0) || x.size(2) != y.size(2)) {
    throw std::invalid_argument("sinkhorn: expected x [B, N, D] and y [B, M, D]");
  }
  const int64_t b = x.size(0), n = x.size(1), m = y.size(1);
  const auto eps_list = sinkhorn_epsilons(o.diameter > 0 ? o.diameter : joint_diameter(x.detach(), y.detach()), o);
  const auto opts = x.options().requires_grad(false);
  const auto a_log = torch::full({b, n}, -std::log(static_cast<double>(n)), opts);
  const auto b_log = torch::full({b, m}, -std::log(static_cast<double>(m)), opts);

  const bool fused = takes_fused_softmin(x);
  torch::Tensor f_ba, g_ab, f_aa, g_bb;
  {
    torch::NoGradGuard no_grad;
    const auto xc = x.detach().contiguous(), yc = y.detach().contiguous();
    torch::Tensor c_xy, c_yx, c_xx, c_yy;  // left undefined where the fused soft-min needs none
    if (!fused) {
      c_xy = half_squared_distances(xc, yc);
      c_yx = c_xy.transpose(1, 2);
      c_xx = half_squared_distances(xc, xc);
      c_yy = half_squared_distances(yc, yc);
    }
    auto softmin_xy = [&](double e, const torch::Tensor& h) { return batched_softmin(e, xc, yc, c_xy, h); };
    auto softmin_yx = [&](double e, const torch::Tensor& h) { return batched_softmin(e, yc, xc, c_yx, h); };
    auto softmin_xx = [&](double e, const torch::Tensor& h) { return batched_softmin(e, xc, xc, c_xx, h); };
    auto softmin_yy = [&](double e, const torch::Tensor& h) { return batched_softmin(e, yc, yc, c_yy, h); };
    double eps = eps_list.front();
    f_ba = softmin_xy(eps, b_log);
    g_ab = softmin_yx(eps, a_log);
    f_aa = softmin_xx(eps, a_log);
    g_bb = softmin_yy(eps, b_log);
    for (double e : eps_list) {
      eps = e;
      auto ft_ba = softmin_xy(eps, b_log + g_ab / eps), gt_ab = softmin_yx(eps, a_log + f_ba / eps);
      auto ft_aa = softmin_xx(eps, a_log + f_aa / eps), gt_bb = softmin_yy(eps, b_log + g_bb / eps);
      f_ba = (f_ba + ft_ba) / 2;
      g_ab = (g_ab + gt_ab) / 2;
      f_aa = (f_aa + ft_aa) / 2;
      g_bb = (g_bb + gt_bb) / 2;
    }
  }
  // Last extrapolation from the detached potentials: the only step that carries gradients, and
  // as in geomloss only through each cost's first argument (cost(x, y.detach()), ...), which
  // gives the envelope-theorem gradient a_i grad f(x_i).
  const double eps = eps_list.back();
  const auto xd = x.detach(), yd = y.detach();
  if (fused) {
    auto F_ba = SoftminOfFirstArgument::apply(x, yd, b_log + g_ab / eps, eps);
    auto G_ab = SoftminOfFirstArgument::apply(y, xd, a_log + f_ba / eps, eps);
    auto F_aa = SoftminOfFirstArgument::apply(x, xd, a_log + f_aa / eps, eps);
    auto G_bb = SoftminOfFirstArgument::apply(y, yd, b_log + g_bb / eps, eps);
    return (F_ba - F_aa).mean(1) + (G_ab - G_bb).mean(1);
  }
  auto F_ba = softmin(eps, half_squared_distances(x, yd), b_log + g_ab / eps);
  auto G_ab = softmin(eps, half_squared_distances(y, xd), a_log + f_ba / eps);
  auto F_aa = softmin(eps, half_squared_distances(x, xd), a_log + f_aa / eps);
  auto G_bb = softmin(eps, half_squared_distances(y, yd), b_log + g_bb / eps);
  return (F_ba - F_aa).mean(1) + (G_ab - G_bb).mean(1);
}

namespace {

// softmin over all of y for every x row, a block of rows at a time: [N]. float32 CPU clouds take
// the fused kernel (no cost matrix at all); others (float64, CUDA) go through blocks of costs.
torch::Tensor softmin_blocked(double eps, const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& h, int64_t block) {
  if (takes_fused_softmin(x)) return fused_softmin(eps, x, y, h);
  const int64_t n = x.size(0);
  torch::Tensor out = torch::empty({n}, x.options());
  const auto yy = (y.pow(2).sum(1) / 2).unsqueeze(0);
  const auto hy = h.unsqueeze(0);
  for (int64_t i = 0; i < n; i += block) {
    const int64_t rows = std::min(block, n - i);
    const auto xb = x.narrow(0, i, rows);
    auto c = (xb.pow(2).sum(1, true) / 2 + yy).sub_(torch::mm(xb, y.t()));  // [rows, M]
    out.narrow(0, i, rows).copy_(torch::logsumexp(c.div_(-eps).add_(hy), 1).mul_(-eps));
  }
  return out;
}

}  // namespace

double sinkhorn_divergence_blocked(const torch::Tensor& x_in, const torch::Tensor& y_in, const SinkhornOptions& o) {
  o.check();
  if (x_in.dim() != 2 || y_in.dim() != 2 || x_in.size(1) != y_in.size(1)) {
    throw std::invalid_argument("sinkhorn: expected x [N, D] and y [M, D]");
  }
  torch::NoGradGuard no_grad;
  const auto x = x_in.contiguous(), y = y_in.contiguous();
  const int64_t n = x.size(0), m = y.size(0), k = o.block_rows;
  const auto eps_list = sinkhorn_epsilons(o.diameter > 0 ? o.diameter : joint_diameter(x, y), o);
  const auto a_log = torch::full({n}, -std::log(static_cast<double>(n)), x.options());
  const auto b_log = torch::full({m}, -std::log(static_cast<double>(m)), x.options());
  double eps = eps_list.front();
  auto f_ba = softmin_blocked(eps, x, y, b_log, k), g_ab = softmin_blocked(eps, y, x, a_log, k);
  auto f_aa = softmin_blocked(eps, x, x, a_log, k), g_bb = softmin_blocked(eps, y, y, b_log, k);
  for (double e : eps_list) {
    eps = e;
    auto ft_ba = softmin_blocked(eps, x, y, b_log + g_ab / eps, k), gt_ab = softmin_blocked(eps, y, x, a_log + f_ba / eps, k);
    auto ft_aa = softmin_blocked(eps, x, x, a_log + f_aa / eps, k), gt_bb = softmin_blocked(eps, y, y, b_log + g_bb / eps, k);
    f_ba = (f_ba + ft_ba) / 2;
    g_ab = (g_ab + gt_ab) / 2;
    f_aa = (f_aa + ft_aa) / 2;
    g_bb = (g_bb + gt_bb) / 2;
  }
  auto F_ba = softmin_blocked(eps, x, y, b_log + g_ab / eps, k), G_ab = softmin_blocked(eps, y, x, a_log + f_ba / eps, k);
  auto F_aa = softmin_blocked(eps, x, x, a_log + f_aa / eps, k), G_bb = softmin_blocked(eps, y, y, b_log + g_bb / eps, k);
  return ((F_ba - F_aa).mean() + (G_ab - G_bb).mean()).item<double>();
}

}  // namespace pianokpm
