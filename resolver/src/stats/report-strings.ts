// The printable report's words, in Vietnamese and English. Category names follow
// lists/categories.ts; unknown (admin-invented) categories are shown by their own name.

export type ReportLang = 'vi' | 'en';

export interface ReportStrings {
  locale: string;
  title: string;
  range: (from: string, to: string) => string;
  generatedAt: (when: string) => string;
  networks: string;
  allNetworks: string;
  blockedByCategory: string;
  category: string;
  blocked: string;
  total: string;
  trend: string;
  trendCaption: string;
  queries: string;
  measure: string;
  count: string;
  counters: Record<string, string>;
  suppression: (k: number) => string;
  privacy: string;
  hotline: string;
  categories: Record<string, string>;
}

const vi: ReportStrings = {
  locale: 'vi-VN',
  title: 'Báo cáo lọc nội dung bảo vệ trẻ em',
  range: (from, to) => `Thời gian: từ ${from} đến ${to} (giờ UTC)`,
  generatedAt: (when) => `Lập lúc: ${when}`,
  networks: 'Mạng',
  allNetworks: 'Tất cả các mạng',
  blockedByCategory: 'Truy vấn bị chặn theo danh mục',
  category: 'Danh mục',
  blocked: 'Bị chặn',
  total: 'Tổng',
  trend: 'Xu hướng truy vấn bị chặn theo ngày',
  trendCaption: 'Điểm rỗng: ngày có giá trị bị ẩn (tổng của ngày là giá trị tối thiểu).',
  queries: 'Lưu lượng truy vấn',
  measure: 'Chỉ số',
  count: 'Số lượng',
  counters: {
    total: 'Tổng số truy vấn',
    rewritten: 'Chuyển sang tìm kiếm an toàn',
    cache_hits: 'Trả lời từ bộ nhớ đệm',
    upstream_errors: 'Lỗi máy chủ phía trên',
    refused: 'Bị từ chối (REFUSED)',
  },
  suppression: (k) =>
    `Để bảo vệ quyền riêng tư, các số liệu nhỏ hơn ${k} được hiển thị là “<${k}”. Các tổng chỉ cộng những giá trị được hiển thị, vì vậy không thể suy ra số liệu bị ẩn bằng phép trừ; tổng có dấu “≥” đã bỏ qua giá trị bị ẩn.`,
  privacy: 'Báo cáo này không chứa dữ liệu cá nhân: không có địa chỉ thiết bị, không có lịch sử truy cập, chỉ có số đếm theo mạng, danh mục và ngày.',
  hotline: 'Nếu bạn lo ngại về sự an toàn của một trẻ em, hãy gọi Tổng đài quốc gia bảo vệ trẻ em 111 (miễn phí, 24/7).',
  categories: {
    adult: 'Nội dung người lớn', gambling: 'Cờ bạc', violence: 'Bạo lực', drugs: 'Ma túy', malware: 'Phần mềm độc hại',
    phishing: 'Giả mạo (phishing)', scams: 'Lừa đảo', social: 'Mạng xã hội', games: 'Trò chơi', streaming: 'Video trực tuyến',
    ads: 'Quảng cáo', bypass: 'Vượt bộ lọc (VPN, proxy)', custom: 'Tùy chỉnh', piracy: 'Vi phạm bản quyền', crypto: 'Tiền mã hóa',
    dating: 'Hẹn hò', weapons: 'Vũ khí', hate: 'Thù ghét', 'self-harm': 'Tự gây hại', vaping: 'Thuốc lá điện tử',
    _policy: 'Quy tắc riêng của chính sách',
  },
};

const en: ReportStrings = {
  locale: 'en-GB',
  title: 'Child-protection filtering report',
  range: (from, to) => `Period: ${from} to ${to} (UTC)`,
  generatedAt: (when) => `Generated at: ${when}`,
  networks: 'Networks',
  allNetworks: 'All networks',
  blockedByCategory: 'Blocked queries by category',
  category: 'Category',
  blocked: 'Blocked',
  total: 'Total',
  trend: 'Blocked queries per day',
  trendCaption: 'Hollow points: days with hidden values (the day’s total is a lower bound).',
  queries: 'Query traffic',
  measure: 'Measure',
  count: 'Count',
  counters: {
    total: 'All queries',
    rewritten: 'Redirected to safe search',
    cache_hits: 'Answered from cache',
    upstream_errors: 'Upstream errors',
    refused: 'Refused (REFUSED)',
  },
  suppression: (k) =>
    `To protect privacy, counts below ${k} are shown as “<${k}”. Totals add up only the values shown, so a hidden count cannot be worked out by subtraction; a total marked “≥” left out hidden values.`,
  privacy: 'This report holds no personal data: no device addresses, no browsing histories, only counts per network, category and day.',
  hotline: 'If you are worried about a child’s safety, call the national child protection hotline 111 (free, 24/7).',
  categories: {
    adult: 'Adult content', gambling: 'Gambling', violence: 'Violence', drugs: 'Drugs', malware: 'Malware',
    phishing: 'Phishing', scams: 'Scams', social: 'Social networks', games: 'Games', streaming: 'Streaming video',
    ads: 'Advertising', bypass: 'Filter bypass (VPN, proxy)', custom: 'Custom', piracy: 'Piracy', crypto: 'Cryptocurrency',
    dating: 'Dating', weapons: 'Weapons', hate: 'Hate', 'self-harm': 'Self-harm', vaping: 'Vaping',
    _policy: 'Policy’s own rules',
  },
};

export const REPORT_STRINGS: Record<ReportLang, ReportStrings> = { vi, en };
